// One environment of perudo-vibe on a team's own Cloudflare account: the zone, the DNS the
// routing mode needs, the frontend record, and the deploy token, plus what the deploy CLI reads.
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, type StackConfig } from "../config.ts";
import { PerudoStackError } from "../errors.ts";
import { requiredPermissionGroups } from "../permissions.ts";
import { DeployToken } from "./deploy-token.ts";

export interface PerudoStackArgs {
  /** The validated stack configuration (see infra/config.ts and Pulumi.yaml). */
  config: StackConfig;
  /** The clock, read when a deploy token generation is first issued. @default () => new Date() */
  now?: () => Date;
}

/** The stack outputs. The deploy CLI reads these names: do not rename them. */
export interface PerudoStackOutputs {
  accountId: string;
  zoneId: pulumi.Output<string>;
  zoneName: string;
  domain: string;
  routing: StackConfig["routing"];
  /** The stack name, e.g. staging or prod. */
  environment: string;
  workerName: string;
  /** The deploy token (secret). */
  deployToken: pulumi.Output<string>;
  deployTokenExpiresOn: pulumi.Output<string>;
  /** The backend hostname, no scheme. */
  host: string;
  websocketUrl: string;
  healthUrl: string;
  allowedOrigins: string[];
  turnSeconds: number;
  /** Passed to the server as MAX_CONNECTIONS_PER_ROOM. */
  maxConnectionsPerRoom: number;
  /** Only when createZone is true: the nameservers to set at the registrar. */
  nameservers?: pulumi.Output<string[]>;
}

interface ResolvedZone {
  id: pulumi.Output<string>;
  nameservers?: pulumi.Output<string[]>;
}

/** Cloudflare's limit on DNS record comments on the Free plan. */
const COMMENT_LIMIT = 100;

/**
 * Prepares one stack's Cloudflare account for the deploy CLI.
 *
 * - custom-domain routing: no A/AAAA/CNAME at `domain`; the deploy attaches a Workers Custom
 *   Domain, which creates its own record and certificate.
 * - route routing: a proxied `AAAA 100::` at `domain` (an originless record the Workers route
 *   `domain/*` answers for).
 * On the `prod` stack, DNS records and a created zone are protected from deletion.
 */
export class PerudoStack extends pulumi.ComponentResource {
  readonly outputs: PerudoStackOutputs;

  constructor(name: string, args: PerudoStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("perudo-vibe:index:PerudoStack", name, {}, opts);
    const { config } = args;

    const zone = config.createZone ? this.createZone(name, config) : this.findZone(config);
    if (config.routing === "route") this.createRouteRecord(name, config, zone.id);
    if (config.frontend) this.createFrontendRecord(name, config, zone.id);
    if (config.wafRateLimit > 0) this.createWafRateLimit(name, config, zone.id);
    const token = this.createDeployToken(name, config, zone.id, args.now);

    this.outputs = stackOutputs(config, zone, token);
    this.registerOutputs(this.outputs);
  }

  /** A brand-new zone in the account; its nameservers go to the registrar. */
  private createZone(name: string, config: StackConfig): ResolvedZone {
    const zone = new cloudflare.Zone(
      `${name}-zone`,
      { account: { id: config.accountId }, name: config.zone, type: "full" },
      { parent: this, protect: config.production },
    );
    return { id: zone.id, nameservers: zone.nameServers };
  }

  /** The existing zone, looked up by name within the account. */
  private findZone(config: StackConfig): ResolvedZone {
    const found = cloudflare.getZonesOutput({ account: { id: config.accountId }, name: config.zone }, { parent: this });
    const id = found.results.apply((zones) => {
      const zone = zones.find((candidate) => candidate.name === config.zone);
      if (zone) return zone.id;
      throw new PerudoStackError(
        `Zone "${config.zone}" was not found in Cloudflare account ${config.accountId}.\n` +
          `  - If the domain is new to Cloudflare: pulumi config set ${PROJECT}:createZone true\n` +
          `  - If the zone exists: check ${PROJECT}:accountId and ${PROJECT}:zone, and that the bootstrap token has Zone Read on it.`,
      );
    });
    return { id };
  }

  /** route mode: the originless record the Workers route answers for. */
  private createRouteRecord(name: string, config: StackConfig, zoneId: pulumi.Output<string>): cloudflare.DnsRecord {
    return new cloudflare.DnsRecord(
      `${name}-route-record`,
      {
        zoneId,
        name: config.domain,
        type: "AAAA",
        content: "100::",
        proxied: true,
        ttl: 1,
        comment: recordComment(config, `origin for Workers route ${config.domain}/*`),
      },
      { parent: this, protect: config.production },
    );
  }

  /** The web frontend's CNAME. */
  private createFrontendRecord(name: string, config: StackConfig, zoneId: pulumi.Output<string>): cloudflare.DnsRecord {
    const frontend = config.frontend!;
    return new cloudflare.DnsRecord(
      `${name}-frontend-record`,
      {
        zoneId,
        name: frontend.hostname,
        type: "CNAME",
        content: frontend.target,
        proxied: frontend.proxied,
        ttl: 1,
        comment: recordComment(config, "web frontend"),
      },
      { parent: this, protect: config.production },
    );
  }

  /**
   * The optional zone WAF rate limiting rule (config `wafRateLimit`): one rule in the zone's
   * `http_ratelimit` entry point ruleset, within what the Free plan allows (one rule, counted per
   * IP and data center, a 10-second period, a 10-second block). It stops a flood at Cloudflare's
   * edge before it reaches the Worker (and costs no Worker requests), unlike the Worker's own
   * limits; a blocked client gets Cloudflare's HTTP 429 (error 1015), not perudo-vibe's JSON.
   * A zone has one such entry point ruleset: this takes it over (see docs/operations.md).
   */
  private createWafRateLimit(name: string, config: StackConfig, zoneId: pulumi.Output<string>): void {
    new cloudflare.Ruleset(
      `${name}-waf-rate-limit`,
      {
        zoneId,
        kind: "zone",
        phase: "http_ratelimit",
        name: `${PROJECT}-${config.stack} rate limits`,
        description: recordComment(config, "rate limit for the game's room paths"),
        rules: [
          {
            description: `perudo-vibe ${config.stack}: at most ${config.wafRateLimit} room requests per 10 s per IP`,
            expression: `(${wafRateLimitExpression()})`,
            action: "block",
            ratelimit: {
              // cf.colo.id is mandatory with ip.src on every plan: counts are per data center.
              characteristics: ["ip.src", "cf.colo.id"],
              period: 10,
              requestsPerPeriod: config.wafRateLimit,
              mitigationTimeout: 10,
            },
            enabled: true,
          },
        ],
      },
      { parent: this },
    );
  }

  private createDeployToken(
    name: string,
    config: StackConfig,
    zoneId: pulumi.Output<string>,
    now: (() => Date) | undefined,
  ): DeployToken {
    return new DeployToken(
      `${name}-deploy-token`,
      {
        owner: config.tokenOwner,
        accountId: config.accountId,
        zoneId,
        tokenName: `${PROJECT}-${config.stack}-deploy`,
        permissionGroups: requiredPermissionGroups(config.routing),
        ttlDays: config.tokenTtlDays,
        rotation: config.tokenRotation,
        allowedIps: config.deployIps,
        ...(now ? { now } : {}),
      },
      { parent: this },
    );
  }
}

/** The room paths the Worker serves (party/room/http.ts), which the optional WAF rule counts. */
export const ROOM_PATH_PREFIXES = ["/parties/main/", "/party/"] as const;

/**
 * The WAF rule's expression. The Free plan allows only the URI path in rate limiting rule
 * expressions (not the host), so the rule counts these paths on every hostname of the zone.
 */
export function wafRateLimitExpression(): string {
  return ROOM_PATH_PREFIXES.map((prefix) => `starts_with(http.request.uri.path, "${prefix}")`).join(" or ");
}

/** "Managed by Pulumi stack perudo-vibe/<stack>: <what>", within Cloudflare's comment limit. */
export function recordComment(config: StackConfig, what: string): string {
  const comment = `Managed by Pulumi stack ${PROJECT}/${config.stack}: ${what}`;
  return comment.slice(0, COMMENT_LIMIT);
}

function stackOutputs(config: StackConfig, zone: ResolvedZone, token: DeployToken): PerudoStackOutputs {
  return {
    accountId: config.accountId,
    zoneId: zone.id,
    zoneName: config.zone,
    domain: config.domain,
    routing: config.routing,
    environment: config.stack,
    workerName: config.workerName,
    deployToken: token.value,
    deployTokenExpiresOn: token.expiresOn,
    host: config.domain,
    websocketUrl: `wss://${config.domain}/parties/main`,
    healthUrl: `https://${config.domain}/health`,
    allowedOrigins: config.allowedOrigins,
    turnSeconds: config.turnSeconds,
    maxConnectionsPerRoom: config.maxConnectionsPerRoom,
    ...(zone.nameservers ? { nameservers: zone.nameservers } : {}),
  };
}
