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
  /** The clock: the issue time of a new generation, and what "expired or expiring" is judged against. @default () => new Date() */
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
    const expiry = this.anchorExpiry(`${name}-issued-at${generation}`, args);
    const expiresOn = expiry.apply((plan) => plan.expiresOn);
    const token = this.createToken(`${name}-token${generation}`, args, groupIds, expiresOn, expiry);
    this.reportRenewal(args, expiry);

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

  /**
   * Issue time kept in state, plus the lifetime: stable across runs, fresh per generation. Once
   * that expiry is past or near (see planExpiry), a renewed one, never a date in the past.
   */
  private anchorExpiry(stashName: string, args: DeployTokenArgs): pulumi.Output<ExpiryPlan> {
    const now = (args.now ?? (() => new Date()))();
    const issuedAt = new pulumi.Stash(
      stashName,
      { input: toRfc3339Seconds(now) },
      { parent: this, ignoreChanges: ["input"] },
    );
    return issuedAt.output.apply((stored: unknown) => planExpiry(String(stored), args.ttlDays, now));
  }

  /** The update says so when the token is being renewed (a warning on the component). */
  private reportRenewal(args: DeployTokenArgs, expiry: pulumi.Output<ExpiryPlan>): void {
    expiry.apply((plan) => {
      if (plan.renewal === 0) return;
      void pulumi.log.warn(
        `Deploy token ${args.tokenName}: its expiry from its issue time (${plan.issuedAt} + tokenTtlDays ${args.ttlDays}) ` +
          `was ${plan.originalExpiresOn}, which is past or within ${plan.windowDays} days. It is renewed automatically ` +
          `(renewal ${plan.renewal}): the token is replaced by a new one expiring on ${plan.expiresOn} whenever this renewal is new since ` +
          `the last update (the plan shows the replacement). The deploy CLI reads the new deployToken output; update any copy ` +
          `kept elsewhere (e.g. a CI secret). To start over with a full tokenTtlDays from today and end this notice, set a new ` +
          `tokenRotation (npm run rotate-token).`,
        this,
      );
    });
  }

  private createToken(
    tokenResourceName: string,
    args: DeployTokenArgs,
    groupIds: pulumi.Output<Record<PermissionScope, string[]>>,
    expiresOn: pulumi.Output<string>,
    expiry: pulumi.Output<ExpiryPlan>,
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
    // A renewal is a new token, not an in-place update of an expired one: the engine replaces the
    // token (create first, then delete) whenever the renewal number differs from the last update's.
    // A number, never undefined (the SDK cannot serialise an undefined trigger). The token records
    // 0 when first created, so the trigger only fires on a renewal. (An engine older than
    // replacementTrigger updates expiresOn in place instead; still never a past date.)
    const options: pulumi.CustomResourceOptions = {
      parent: this,
      replacementTrigger: expiry.apply((plan) => plan.renewal),
    };
    return args.owner === "account"
      ? new cloudflare.AccountToken(tokenResourceName, { accountId: args.accountId, ...common }, options)
      : new cloudflare.ApiToken(tokenResourceName, common, options);
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A token expiring within this many days is renewed by `pulumi up` (the deploy preflight warns from the same point). */
export const TOKEN_RENEWAL_DAYS = 14;

export interface ExpiryPlan {
  issuedAt: string;
  /** issuedAt + ttlDays. */
  originalExpiresOn: string;
  /** What the token is given: originalExpiresOn, or a renewed expiry at least windowDays ahead. */
  expiresOn: string;
  /** 0: as issued; n: the n-th renewal of this generation. */
  renewal: number;
  windowDays: number;
}

/**
 * Which expiry to send. Pure. While issuedAt + ttlDays is more than the renewal window away, that
 * date. Otherwise the expiry moves forward in whole steps of (ttlDays - window), the smallest
 * number of steps that puts it at least the window ahead of `now`: never a date in the past, and
 * the same answer on every run until the next renewal is due (so repeated updates change nothing).
 * A stack updated regularly is renewed when 14 days are left and gets a full ttlDays; after a long
 * pause the renewed expiry is between 14 days and ttlDays ahead (tokenRotation gives a full one).
 * The window is 14 days, or half the lifetime when that is shorter (else every run would renew).
 */
export function planExpiry(issuedAt: string, ttlDays: number, now: Date): ExpiryPlan {
  const originalExpiresOn = expiryFrom(issuedAt, ttlDays);
  const first = Date.parse(originalExpiresOn);
  const windowDays = Math.min(TOKEN_RENEWAL_DAYS, ttlDays / 2);
  const windowMs = windowDays * DAY_MS;
  const stepMs = ttlDays * DAY_MS - windowMs;
  const shortBy = now.getTime() + windowMs - first;
  const renewal = shortBy > 0 ? Math.ceil(shortBy / stepMs) : 0;
  return {
    issuedAt,
    originalExpiresOn,
    expiresOn: renewal === 0 ? originalExpiresOn : toRfc3339Seconds(new Date(first + renewal * stepMs)),
    renewal,
    windowDays,
  };
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
