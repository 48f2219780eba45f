// The deploy token: least privilege (one account, one zone, named permission groups), an expiry
// that stays put across `pulumi up` runs, and rotation by bumping `tokenRotation`.
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import type { TokenOwner } from "../config.ts";
import { PerudoStackError } from "../errors.ts";
import {
  accountResources,
  type ListedPermissionGroup,
  type PermissionScope,
  resolvePermissionGroups,
  zoneResources,
} from "../permissions.ts";

export interface DeployTokenArgs {
  /**
   * Who owns the token. `account`: an account-owned token (`cloudflare.AccountToken`, verified at
   * `/accounts/:account_id/tokens/verify`); `user`: owned by the bootstrap token's user
   * (`cloudflare.ApiToken`, verified at `/user/tokens/verify`).
   * @default "account"
   */
  owner: TokenOwner;
  /** The one Cloudflare account the token may act on (32 hex characters). */
  accountId: string;
  /** The one zone the token may act on. */
  zoneId: pulumi.Input<string>;
  /** The token's name in the dashboard. @example "perudo-vibe-staging-deploy" */
  tokenName: string;
  /**
   * Permission group names per scope. They are resolved to ids by name through Cloudflare's
   * permission-group list for this kind of token, never hard-coded.
   * @example { account: ["Workers Scripts Write"], zone: ["Zone Read"] }
   */
  permissionGroups: Readonly<Record<PermissionScope, readonly string[]>>;
  /** Lifetime in days, counted from when this token was first issued. @default 90 */
  ttlDays: number;
  /**
   * Rotation generation. Changing it issues a new token (new secret, fresh expiry) and deletes
   * the old one at the end of the same `pulumi up`. "" is the first generation.
   * @example "2026-01-31"
   */
  rotation: string;
  /** Client IP ranges (CIDRs) the token may be used from; empty means anywhere. @default [] */
  allowedIps: readonly string[];
  /** The clock, read only when a token generation is first issued. @default () => new Date() */
  now?: () => Date;
}

/**
 * A least-privilege Cloudflare API token for the deploy CLI.
 *
 * Expiry stability: the issue time is kept in a `pulumi.Stash`, whose output is the value it was
 * created with, whatever later runs pass in (`ignoreChanges: ["input"]` keeps previews quiet). The
 * token's `expiresOn` is that issue time plus `ttlDays`, so the same config always produces the
 * same token inputs and repeated `pulumi up` runs change nothing.
 *
 * Rotation: the stash and the token carry the rotation generation in their logical names, so a
 * new generation is a brand-new pair (new issue time, new secret) created before the old pair is
 * deleted. `ignoreChanges` never carries an old issue time into a new generation.
 */
export class DeployToken extends pulumi.ComponentResource {
  /** The token secret (a Pulumi secret). */
  readonly value: pulumi.Output<string>;
  /** When the token stops working, RFC 3339 in UTC, e.g. 2026-04-30T12:00:00Z. */
  readonly expiresOn: pulumi.Output<string>;
  /** The token's id (the dashboard and `/tokens/:token_id` endpoints use it). */
  readonly tokenId: pulumi.Output<string>;

  constructor(name: string, args: DeployTokenArgs, opts?: pulumi.ComponentResourceOptions) {
    super("perudo-vibe:index:DeployToken", name, {}, opts);
    const generation = args.rotation === "" ? "" : `-r${args.rotation}`;

    const groupIds = this.resolvePermissionGroupIds(args);
    const expiresOn = this.anchorExpiry(`${name}-issued-at${generation}`, args);
    const token = this.createToken(`${name}-token${generation}`, args, groupIds, expiresOn);

    this.value = pulumi.secret(token.value);
    this.expiresOn = pulumi.all([token.expiresOn, expiresOn]).apply(([stored, computed]) => stored ?? computed);
    this.tokenId = token.id;
    this.registerOutputs({ value: this.value, expiresOn: this.expiresOn, tokenId: this.tokenId });
  }

  /** Permission group names -> ids, from the list that matches the token's owner. */
  private resolvePermissionGroupIds(args: DeployTokenArgs): pulumi.Output<Record<PermissionScope, string[]>> {
    const listed: pulumi.Output<ListedPermissionGroup[]> =
      args.owner === "account"
        ? cloudflare.getAccountApiTokenPermissionGroupsListOutput({ accountId: args.accountId }, { parent: this })
            .results
        : cloudflare.getApiTokenPermissionGroupsListOutput({}, { parent: this }).results;
    const listName =
      args.owner === "account"
        ? `GET /accounts/${args.accountId}/tokens/permission_groups`
        : "GET /user/tokens/permission_groups";
    return listed.apply((groups) => {
      const resolution = resolvePermissionGroups(args.permissionGroups, groups);
      if (resolution.ok) return resolution.ids;
      const names = resolution.missing.map(({ group, scope }) => `"${group}" (${scope} scope)`).join(", ");
      throw new PerudoStackError(
        `Cloudflare's permission-group list (${listName}, ${groups.length} groups) has no ${names}. ` +
          `The deploy token cannot be created without ${resolution.missing.length === 1 ? "it" : "them"}.\n` +
          `  - If the list is empty or short, the bootstrap token cannot read it: give it API Tokens Write ` +
          `(${args.owner === "account" ? "account" : "user"} level) and run pulumi up again.\n` +
          `  - If Cloudflare renamed the group, update infra/permissions.ts and docs/permissions.md to the new name.`,
      );
    });
  }

  /** Issue time kept in state, plus the lifetime: stable across runs, fresh per generation. */
  private anchorExpiry(stashName: string, args: DeployTokenArgs): pulumi.Output<string> {
    const now = (args.now ?? (() => new Date()))();
    const issuedAt = new pulumi.Stash(
      stashName,
      { input: toRfc3339Seconds(now) },
      { parent: this, ignoreChanges: ["input"] },
    );
    return issuedAt.output.apply((stored: unknown) => expiryFrom(String(stored), args.ttlDays));
  }

  private createToken(
    tokenResourceName: string,
    args: DeployTokenArgs,
    groupIds: pulumi.Output<Record<PermissionScope, string[]>>,
    expiresOn: pulumi.Output<string>,
  ): cloudflare.AccountToken | cloudflare.ApiToken {
    // Two policies: account groups on exactly this account, zone groups on exactly this zone.
    const policies = [
      {
        effect: "allow",
        permissionGroups: groupIds.apply((ids) => ids.account.map((id) => ({ id }))),
        resources: accountResources(args.accountId),
      },
      {
        effect: "allow",
        permissionGroups: groupIds.apply((ids) => ids.zone.map((id) => ({ id }))),
        resources: pulumi.output(args.zoneId).apply(zoneResources),
      },
    ];
    const condition = args.allowedIps.length > 0 ? { requestIp: { ins: [...args.allowedIps] } } : undefined;
    const common = { name: args.tokenName, policies, expiresOn, condition };
    return args.owner === "account"
      ? new cloudflare.AccountToken(tokenResourceName, { accountId: args.accountId, ...common }, { parent: this })
      : new cloudflare.ApiToken(tokenResourceName, common, { parent: this });
  }
}

/** RFC 3339 at second precision, the form Cloudflare stores token dates in. */
export function toRfc3339Seconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `issuedAt` plus `ttlDays` whole days, RFC 3339 at second precision. */
export function expiryFrom(issuedAt: string, ttlDays: number): string {
  const issued = new Date(issuedAt);
  if (Number.isNaN(issued.getTime())) {
    throw new PerudoStackError(`The deploy token's stored issue time "${issuedAt}" is not a date.`);
  }
  return toRfc3339Seconds(new Date(issued.getTime() + ttlDays * 24 * 60 * 60 * 1000));
}
