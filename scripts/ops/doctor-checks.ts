// What `npm run doctor` judges, as pure functions: which permission groups the bootstrap token
// must hold (and where), whether a token's policies grant them, and version ranges. No I/O.
import { CLOUDFLARE_SCOPE, requiredPermissionGroups, type PermissionScope } from "../../infra/permissions.ts";
import type { Routing, TokenOwner } from "../../infra/config.ts";
import type { TokenDetail } from "../lib/cloudflare-api.ts";

/** One line of the report. */
export type CheckStatus = "ok" | "missing" | "cannot tell";
/** Which exit code a "missing" maps to. */
export type CheckArea = "setup" | "token" | "account";

export interface CheckResult {
  name: string;
  area: CheckArea;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** The exact fix (missing) or what to check by hand (cannot tell). */
  fix?: string;
}

/** Where a group must apply for the bootstrap token. */
export type GrantTarget = "account" | "zone" | "account-zones" | "user";

export interface RequiredGrant {
  group: string;
  target: GrantTarget;
  /** Why `pulumi up` needs it. */
  why: string;
}

/**
 * Every group the bootstrap token must hold for `pulumi up` to create this stack's deploy token:
 * API Tokens Write where the deploy token is created; Zone Read and DNS Write for the program's
 * own zone lookup and records; Zone Write on the account's zones with createZone; Zone WAF Write
 * on the zone with wafRateLimit (the optional WAF rule, infra/components); and every
 * group the deploy token is granted, at the same scope, because a token can only grant what its
 * creator holds (and Cloudflare refuses zone-scoped groups the creator lacks with 400/1001
 * "Failed common permission check", terraform-provider-cloudflare issue 7241).
 */
export function requiredBootstrapGrants(options: {
  routing: Routing;
  tokenOwner: TokenOwner;
  createZone: boolean;
  /** > 0: pulumi up also manages the zone's WAF rate limiting rule (stack config wafRateLimit). */
  wafRateLimit?: number;
}): RequiredGrant[] {
  const zoneTarget: GrantTarget = options.createZone ? "account-zones" : "zone";
  const grants: RequiredGrant[] = [
    options.tokenOwner === "account"
      ? { group: "API Tokens Write", target: "account", why: "create the account-owned deploy token" }
      : { group: "API Tokens Write", target: "user", why: "create the user-owned deploy token" },
    { group: "Zone Read", target: zoneTarget, why: "look the zone up by name" },
    { group: "DNS Write", target: zoneTarget, why: "the route-mode record and the frontend CNAME" },
  ];
  if (options.createZone) grants.push({ group: "Zone Write", target: "account-zones", why: "create the zone (createZone)" });
  if ((options.wafRateLimit ?? 0) > 0) grants.push({ group: "Zone WAF Write", target: zoneTarget, why: "the zone's WAF rate limiting rule (wafRateLimit)" });
  const deploy = requiredPermissionGroups(options.routing);
  for (const scope of ["account", "zone"] as const satisfies readonly PermissionScope[]) {
    for (const group of deploy[scope]) {
      if (grants.some((grant) => grant.group === group && grant.target !== "user")) continue;
      grants.push({ group, target: scope === "account" ? "account" : zoneTarget, why: "the deploy token is granted it (a token grants only what its creator holds)" });
    }
  }
  return grants;
}

type Resources = Record<string, unknown>;

/** Does a policy's `resources` cover the target? Cloudflare's forms: id or `*`, and account -> zones nesting. */
export function coversTarget(resources: Resources, target: GrantTarget, ids: { accountId: string; zoneId?: string | undefined }): boolean {
  const account = CLOUDFLARE_SCOPE.account;
  const zone = CLOUDFLARE_SCOPE.zone;
  const isAll = (value: unknown) => value === "*";
  const accountKeys = [`${account}.${ids.accountId}`, `${account}.*`];
  switch (target) {
    case "user":
      return Object.entries(resources).some(([key, value]) => key.startsWith("com.cloudflare.api.user.") && isAll(value));
    case "account":
      return accountKeys.some((key) => isAll(resources[key]));
    case "zone":
    case "account-zones": {
      const zoneKeys = target === "zone" && ids.zoneId ? [`${zone}.${ids.zoneId}`, `${zone}.*`] : [`${zone}.*`];
      if (zoneKeys.some((key) => isAll(resources[key]))) return true;
      // {"com.cloudflare.api.account.<id>": {"com.cloudflare.api.account.zone.*": "*"}}: all zones of the account.
      return accountKeys.some((key) => {
        const nested = resources[key];
        return typeof nested === "object" && nested !== null && zoneKeys.some((zoneKey) => isAll((nested as Resources)[zoneKey]));
      });
    }
  }
}

export interface GrantAssessment {
  held: RequiredGrant[];
  missing: RequiredGrant[];
}

/** Which required grants the token's policies give. A deny policy covering the target wins. */
export function assessGrants(
  token: TokenDetail,
  required: RequiredGrant[],
  groupNames: ReadonlyMap<string, string>,
  ids: { accountId: string; zoneId?: string | undefined },
): GrantAssessment {
  const policies = token.policies ?? [];
  const nameOf = (group: { id: string; name?: string | null | undefined }) => groupNames.get(group.id) ?? group.name ?? group.id;
  const grants = (effect: string, grant: RequiredGrant) =>
    policies.some(
      (policy) =>
        policy.effect === effect &&
        policy.permission_groups.some((group) => nameOf(group) === grant.group) &&
        coversTarget(policy.resources, grant.target, ids),
    );
  const held: RequiredGrant[] = [];
  const missing: RequiredGrant[] = [];
  for (const grant of required) (grants("allow", grant) && !grants("deny", grant) ? held : missing).push(grant);
  return { held, missing };
}

export function describeTarget(target: GrantTarget, names: { zone: string }): string {
  switch (target) {
    case "account":
      return "on the account";
    case "user":
      return "at user level";
    case "zone":
      return `on zone ${names.zone}`;
    case "account-zones":
      return "on all zones of the account";
  }
}

/** Parses "1.2.3" (a leading "v" allowed). */
function parseVersion(version: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/**
 * Does `version` satisfy `range`? Understands what engines fields and our pins use: exact
 * versions, `>=x.y.z` (space-separated conjunctions, `||` alternatives), `^x.y.z` and `~x.y.z`.
 * undefined when the range uses anything else.
 */
export function satisfies(version: string, range: string): boolean | undefined {
  const actual = parseVersion(version);
  if (!actual) return undefined;
  const alternatives = range.split("||").map((part) => part.trim()).filter(Boolean);
  let understood = true;
  const results = alternatives.map((alternative) =>
    alternative.split(/\s+/).every((comparator) => {
      const match = /^(>=|\^|~|=)?v?(\d+\.\d+\.\d+)$/.exec(comparator);
      const wanted = match ? parseVersion(match[2]!) : undefined;
      if (!match || !wanted) {
        understood = false;
        return false;
      }
      const op = match[1] ?? "=";
      if (op === ">=") return compare(actual, wanted) >= 0;
      if (op === "=") return compare(actual, wanted) === 0;
      if (op === "^") return actual[0] === wanted[0] && compare(actual, wanted) >= 0 && (wanted[0] !== 0 || actual[1] === wanted[1]);
      return actual[0] === wanted[0] && actual[1] === wanted[1] && compare(actual, wanted) >= 0;
    }),
  );
  if (results.some(Boolean)) return true;
  return understood ? false : undefined;
}
