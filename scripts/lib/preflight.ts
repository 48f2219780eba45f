// Preflight: before anything is uploaded, check with the deploy token itself that the token is
// usable, the zone is active, and the hostname is free for this Worker. Gathering (I/O through
// CloudflareClient) is separate from judging (assessPreflight, pure), so every rule is unit-tested.
import {
  CloudflareApiError,
  networkFailureHint,
  type CloudflareClient,
  type DnsRecord,
  type TokenVerifyResult,
  type WorkerDomain,
  type WorkerRoute,
  type Zone,
} from "./cloudflare-api.ts";
import { CredentialsError, PreflightError } from "./errors.ts";
import type { StackOutputs } from "./outputs.ts";

export const TOKEN_EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

export type PreflightOutputs = Pick<
  StackOutputs,
  "accountId" | "zoneId" | "zoneName" | "domain" | "routing" | "workerName" | "deployTokenExpiresOn" | "nameservers"
>;

export interface TokenFacts {
  /** Which verify endpoint accepted it. */
  verifiedAt: "account" | "user";
  result: TokenVerifyResult;
}

export interface PreflightFacts {
  token: TokenFacts;
  zone: Zone;
  /** DNS records named exactly `domain`. */
  dnsRecords: DnsRecord[];
  /** Workers Custom Domains for `domain` (any Worker). */
  domainHolders: WorkerDomain[];
  /** Workers Custom Domains of this Worker (any hostname). */
  workerDomains: WorkerDomain[];
  /** Route mode only: the zone's Worker routes. */
  routes?: WorkerRoute[];
}

export interface PreflightProblem {
  kind: "credentials" | "preflight";
  message: string;
}

export interface PreflightReport {
  problems: PreflightProblem[];
  warnings: string[];
  /** Custom domains of this Worker other than `domain` (left attached; listed, never removed). */
  otherCustomDomains: string[];
  /** Custom-domain mode: `domain` is already this Worker's custom domain (redeploy). */
  domainAlreadyAttached: boolean;
  tokenExpiresOn: string | null;
}

const ADDRESS_TYPES = new Set(["A", "AAAA", "CNAME"]);

/** Judges the facts. Pure: no I/O, `now` injected. */
export function assessPreflight(outputs: PreflightOutputs, facts: PreflightFacts, now: Date): PreflightReport {
  const problems: PreflightProblem[] = [];
  const warnings: string[] = [];
  const { domain, workerName, accountId } = outputs;

  // Token
  const token = facts.token.result;
  const expiresOn = token.expires_on ?? outputs.deployTokenExpiresOn ?? null;
  if (token.status !== "active") {
    problems.push({
      kind: "credentials",
      message: `The deploy token (output deployToken) is ${token.status}, not active. Recreate it with \`pulumi up\` for this stack.`,
    });
  } else if (token.not_before && Date.parse(token.not_before) > now.getTime()) {
    problems.push({
      kind: "credentials",
      message: `The deploy token (output deployToken) is not valid before ${token.not_before}.`,
    });
  }
  if (expiresOn) {
    const left = Date.parse(expiresOn) - now.getTime();
    if (left <= 0) {
      problems.push({
        kind: "credentials",
        message: `The deploy token (output deployToken) expired on ${expiresOn}. Rotate it with \`pulumi up\` for this stack.`,
      });
    } else if (left < TOKEN_EXPIRY_WARNING_DAYS * DAY_MS) {
      warnings.push(
        `The deploy token expires on ${expiresOn} (in ${Math.max(1, Math.floor(left / DAY_MS))} day(s)); rotate it soon with \`pulumi up\`.`,
      );
    }
  }

  // Zone
  const zone = facts.zone;
  if (zone.name !== outputs.zoneName) {
    problems.push({
      kind: "preflight",
      message: `Zone ${outputs.zoneId} is ${zone.name}, but the stack outputs say zoneName ${outputs.zoneName}. Run \`pulumi up\` to refresh the outputs.`,
    });
  }
  if (zone.status === "pending") {
    const nameservers = zone.name_servers?.length ? zone.name_servers : (outputs.nameservers ?? []);
    problems.push({
      kind: "preflight",
      message:
        `Zone ${zone.name} is pending: Cloudflare has not seen its nameservers yet, so ${domain} cannot be served.\n` +
        (nameservers.length
          ? `Set these nameservers at your domain registrar:\n${nameservers.map((ns) => `    ${ns}`).join("\n")}\n`
          : "Set the nameservers shown in the Cloudflare dashboard at your domain registrar.\n") +
        `Activation can take up to 24 hours; re-run the deploy once the zone is active.`,
    });
  } else if (!zone.status) {
    // Optional in Cloudflare's schema: say so rather than guess.
    warnings.push(`Cloudflare did not report a status for zone ${zone.name}; check it is active in the dashboard (${zone.name} > Overview).`);
  } else if (zone.status !== "active") {
    problems.push({ kind: "preflight", message: `Zone ${zone.name} is ${zone.status}, not active.` });
  }

  // Hostname
  const hostname = assessHostname(outputs, facts);
  problems.push(...hostname.problems);

  const otherCustomDomains = facts.workerDomains
    .filter((d) => d.service === workerName && d.hostname.toLowerCase() !== domain)
    .map((d) => d.hostname)
    .sort();
  if (otherCustomDomains.length > 0) {
    warnings.push(
      `Worker ${workerName} also serves ${otherCustomDomains.join(", ")} (left attached, e.g. after a domain change). ` +
        `Detach the ones you no longer want with --prune-domains (after this deploy verifies), or in the dashboard.`,
    );
  }

  return {
    problems,
    warnings,
    otherCustomDomains,
    domainAlreadyAttached: hostname.domainAlreadyAttached,
    tokenExpiresOn: expiresOn,
  };
}

export type HostnameOutputs = Pick<PreflightOutputs, "accountId" | "zoneId" | "zoneName" | "domain" | "routing" | "workerName">;
export type HostnameFacts = Pick<PreflightFacts, "dnsRecords" | "domainHolders" | "routes">;

/**
 * Is `domain` free for this Worker in its routing mode? Pure. The deploy preflight and
 * `npm run doctor` both judge the hostname here. `routeRecordByPulumi`: before `pulumi up` (the
 * doctor), a missing route-mode record is expected, since the program creates it.
 */
export function assessHostname(
  outputs: HostnameOutputs,
  facts: HostnameFacts,
  options: { routeRecordByPulumi?: boolean } = {},
): { problems: PreflightProblem[]; domainAlreadyAttached: boolean } {
  const problems: PreflightProblem[] = [];
  const { domain, workerName, accountId } = outputs;
  const addressRecords = facts.dnsRecords.filter((r) => r.name.toLowerCase() === domain && ADDRESS_TYPES.has(r.type.toUpperCase()));
  const holders = facts.domainHolders.filter((d) => d.hostname.toLowerCase() === domain);
  const foreignHolder = holders.find((d) => d.service !== workerName);
  const ownDomain = holders.some((d) => d.service === workerName);
  if (foreignHolder) {
    problems.push({
      kind: "preflight",
      message:
        `${domain} is a Custom Domain of another Worker, '${foreignHolder.service}'. This deploy never takes a hostname over.\n` +
        `To release it: Cloudflare dashboard > Workers & Pages > ${foreignHolder.service} > Settings > Domains & Routes > remove ${domain}, ` +
        `or DELETE /accounts/${accountId}/workers/domains/${foreignHolder.id}. Or choose another domain in the stack config.`,
    });
  }
  if (outputs.routing === "custom-domain") {
    if (!ownDomain && !foreignHolder && addressRecords.length > 0) {
      problems.push({
        kind: "preflight",
        message:
          `DNS already has ${describeRecords(addressRecords)} at ${domain}. A Workers Custom Domain creates its own record, and ` +
          `this deploy never overrides existing records.\nDelete ${addressRecords.length > 1 ? "them" : "it"} (Cloudflare dashboard > ${outputs.zoneName} > DNS, or whatever manages ${
            addressRecords.length > 1 ? "them" : "it"
          }) and re-run, or set routing to "route" in the stack config to serve through a Worker route instead.`,
      });
    }
  } else {
    const proxied = addressRecords.filter((r) => r.proxied === true);
    if (addressRecords.length === 0) {
      if (!options.routeRecordByPulumi) problems.push({
        kind: "preflight",
        message: `Route mode needs a proxied DNS record at ${domain}, and there is none. Run \`pulumi up\` for this stack (it creates the record).`,
      });
    } else if (proxied.length === 0) {
      problems.push({
        kind: "preflight",
        message: `Route mode needs the DNS record at ${domain} to be proxied (orange cloud); ${describeRecords(addressRecords)} is DNS-only. Enable the proxy or run \`pulumi up\`.`,
      });
    }
    const pattern = `${domain}/*`;
    const foreignRoute = (facts.routes ?? []).find((r) => r.pattern === pattern && r.script && r.script !== workerName);
    if (foreignRoute) {
      problems.push({
        kind: "preflight",
        message:
          `The route ${pattern} belongs to another Worker, '${foreignRoute.script}'. This deploy never takes a route over.\n` +
          `To release it: Cloudflare dashboard > Workers & Pages > ${foreignRoute.script} > Settings > Domains & Routes, ` +
          `or DELETE /zones/${outputs.zoneId}/workers/routes/${foreignRoute.id}.`,
      });
    }
  }

  return { problems, domainAlreadyAttached: outputs.routing === "custom-domain" && ownDomain };
}

/** Throws the first problem as its typed error (credentials first: exit 3 beats exit 4). */
export function throwOnProblems(report: PreflightReport): void {
  const credentials = report.problems.filter((p) => p.kind === "credentials");
  if (credentials.length > 0) throw new CredentialsError(credentials.map((p) => p.message).join("\n"));
  if (report.problems.length > 0) {
    throw new PreflightError(`Preflight failed:\n${report.problems.map((p) => `- ${p.message}`).join("\n")}`);
  }
}

function describeRecords(records: DnsRecord[]): string {
  return records
    .map((r) => `${r.type} ${r.content ?? ""}${r.proxied ? " (proxied)" : ""}${r.comment ? ` "${r.comment}"` : ""}`.trim())
    .join(", ");
}

/** Maps an API failure during preflight to the error a person should see. */
export function preflightApiError(error: unknown, what: string): Error {
  if (error instanceof CloudflareApiError) {
    if (error.isNetworkFailure) {
      // Exit 4 (the README's table: Cloudflare's API not reachable), never 3: the token was not judged.
      return new PreflightError(`Could not ${what}: Cloudflare's API did not answer (${error.message}).\n${networkFailureHint()}`);
    }
    if (error.kind === "auth") {
      return new CredentialsError(
        `The deploy token may not ${what} (${error.message}). It needs the permissions listed in docs/permissions.md; recreate it with \`pulumi up\` for this stack.`,
      );
    }
    return new PreflightError(`Could not ${what}: ${error.message}.`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Codes with which a verify endpoint says "not a token of this kind / unknown token". */
const UNKNOWN_TOKEN_CODES = new Set([1000, 1001]);

/**
 * Verifies the token: account-owned tokens at /accounts/:id/tokens/verify, else user tokens.
 * When both refuse, the account endpoint's error is the one that explains an account-owned token
 * (e.g. 9109: the token's client-IP condition excludes this machine), so it is reported first,
 * and never hidden behind the user endpoint's "Invalid API Token" (1000).
 */
export async function verifyToken(client: CloudflareClient, accountId: string, what = "the deploy token (output deployToken)"): Promise<TokenFacts> {
  let accountError: CloudflareApiError;
  try {
    return { verifiedAt: "account", result: await client.verifyAccountToken(accountId) };
  } catch (error) {
    if (!(error instanceof CloudflareApiError) || error.kind === "transient") throw preflightApiError(error, `verify ${what}`);
    accountError = error;
  }
  try {
    return { verifiedAt: "user", result: await client.verifyUserToken() };
  } catch (error) {
    if (error instanceof CloudflareApiError && error.kind !== "transient") {
      const accountSaid = accountError.details || accountError.message;
      const userSaid = error.details || error.message;
      const accountIsSpecific = accountError.errors.some((item) => !UNKNOWN_TOKEN_CODES.has(item.code));
      const ipHint = accountError.hasCode(9109) || error.hasCode(9109)
        ? "\nCode 9109 often means the token is limited to client IP ranges (stack config deployIps) that do not include this machine's address."
        : "";
      throw new CredentialsError(
        `Cloudflare rejected ${what}: ` +
          (accountIsSpecific
            ? `${accountSaid} (account endpoint; the user endpoint said: ${userSaid}).`
            : `${userSaid} (user endpoint; the account endpoint said: ${accountSaid}).`) +
          ` Recreate it with \`pulumi up\` for this stack.${ipHint}`,
      );
    }
    throw preflightApiError(error, `verify ${what}`);
  }
}

/** Gathers the facts with the deploy token. Token first: nothing else is worth asking if it fails. */
export async function gatherPreflightFacts(client: CloudflareClient, outputs: PreflightOutputs): Promise<PreflightFacts> {
  const token = await verifyToken(client, outputs.accountId);
  if (token.result.status !== "active") {
    // Nothing else is worth asking with a token Cloudflare says is not active.
    throwOnProblems(assessPreflight(outputs, { token, zone: { id: outputs.zoneId, name: outputs.zoneName, status: "active" }, dnsRecords: [], domainHolders: [], workerDomains: [] }, new Date()));
  }
  // One round trip for the rest (the ids are in the outputs). The first failure in this order is
  // the one reported, whichever answered first.
  const [zone, hostname] = await Promise.allSettled([
    callMapped(preflightApiError, `read zone ${outputs.zoneId}`, () => client.getZone(outputs.zoneId)),
    gatherHostnameFacts(client, outputs),
  ]);
  return { token, zone: settledValue(zone), ...settledValue(hostname) };
}

/** What assessHostname judges: DNS records and Custom Domains at the host, this Worker's domains, route-mode routes. */
export async function gatherHostnameFacts(
  client: CloudflareClient,
  outputs: HostnameOutputs,
  mapError: (error: unknown, what: string) => Error = preflightApiError,
): Promise<Pick<PreflightFacts, "dnsRecords" | "domainHolders" | "workerDomains" | "routes">> {
  const call = <T>(what: string, action: () => Promise<T>): Promise<T> => callMapped(mapError, what, action);
  // All at once; the first failure in this order is the one reported, whichever answered first.
  const [dnsRecords, domainHolders, workerDomains, routes] = await Promise.allSettled([
    call(`read DNS records of ${outputs.zoneName}`, () => client.listDnsRecords(outputs.zoneId, outputs.domain)),
    call("list Workers Custom Domains", () => client.listWorkerDomains(outputs.accountId, { hostname: outputs.domain })),
    call("list Workers Custom Domains", () => client.listWorkerDomains(outputs.accountId, { service: outputs.workerName })),
    outputs.routing === "route"
      ? call(`list Worker routes of ${outputs.zoneName}`, () => client.listZoneWorkerRoutes(outputs.zoneId))
      : Promise.resolve(undefined),
  ]);
  const facts = {
    dnsRecords: settledValue(dnsRecords),
    domainHolders: settledValue(domainHolders),
    workerDomains: settledValue(workerDomains),
  };
  const listedRoutes = settledValue(routes);
  return { ...facts, ...(listedRoutes ? { routes: listedRoutes } : {}) };
}

async function callMapped<T>(mapError: (error: unknown, what: string) => Error, what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw mapError(error, what);
  }
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

/** Gathers and judges; throws the typed error for the first problem, returns warnings otherwise. */
export async function runPreflight(client: CloudflareClient, outputs: PreflightOutputs, now: () => Date): Promise<PreflightReport> {
  const facts = await gatherPreflightFacts(client, outputs);
  const report = assessPreflight(outputs, facts, now());
  throwOnProblems(report);
  return report;
}
