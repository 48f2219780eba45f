// The deploy token's permission groups, as data. docs/permissions.md derives them endpoint by
// endpoint from what wrangler and the deploy CLI call; test/infra/permissions.test.ts keeps that
// table and this list in step. No Pulumi imports: the program resolves the names to ids at run time.
import type { Routing } from "./config.ts";

/** Where a permission group applies: the one account, or the one zone. */
export type PermissionScope = "account" | "zone";

/** The scope key Cloudflare's permission-group list uses for each of our scopes. */
export const CLOUDFLARE_SCOPE: Record<PermissionScope, string> = {
  account: "com.cloudflare.api.account",
  zone: "com.cloudflare.api.account.zone",
};

export interface PermissionGrant {
  /** The permission group's name exactly as Cloudflare's API lists it. */
  group: string;
  scope: PermissionScope;
  /** Only in this routing mode; both when absent. */
  routing?: Routing;
  /** Why the deploy needs it (the endpoints are in docs/permissions.md). */
  reason: string;
}

/** Every group the deploy token may hold. Nothing for KV, R2, Pages, and no user-level groups. */
export const PERMISSION_GRANTS: readonly PermissionGrant[] = [
  {
    group: "Workers Scripts Write",
    scope: "account",
    reason: "upload the Worker, its versions and deployments, settings, workers.dev subdomain, Custom Domains, delete",
  },
  {
    group: "Account Settings Read",
    scope: "account",
    reason: "read the account the token is scoped to (deploy CLI preflight, wrangler account lookups)",
  },
  {
    group: "Workers Tail Read",
    scope: "account",
    reason: "wrangler tail: start and stop a log tail",
  },
  {
    group: "Zone Read",
    scope: "zone",
    reason: "find the zone by name (wrangler --route) and read it (preflight)",
  },
  {
    group: "DNS Read",
    scope: "zone",
    reason: "preflight: check for records that would conflict with the hostname",
  },
  {
    group: "Workers Routes Write",
    scope: "zone",
    routing: "route",
    reason: "route mode: list and create the Workers route domain/*",
  },
];

/** The permission group names the deploy token needs, per scope, for a routing mode. */
export function requiredPermissionGroups(routing: Routing): Record<PermissionScope, string[]> {
  const needed = PERMISSION_GRANTS.filter((grant) => grant.routing === undefined || grant.routing === routing);
  return {
    account: needed.filter((grant) => grant.scope === "account").map((grant) => grant.group),
    zone: needed.filter((grant) => grant.scope === "zone").map((grant) => grant.group),
  };
}

/** A permission group as Cloudflare lists it (both the account and the user list have this shape). */
export interface ListedPermissionGroup {
  id: string;
  name: string;
  scopes: readonly string[];
}

export type PermissionGroupResolution =
  | { ok: true; ids: Record<PermissionScope, string[]> }
  | { ok: false; missing: { group: string; scope: PermissionScope }[] };

/**
 * Maps the needed group names to ids from Cloudflare's list. A name only counts when the group
 * applies to the scope we grant it on (a zone group is never granted account-wide, and back).
 */
export function resolvePermissionGroups(
  needed: Record<PermissionScope, readonly string[]>,
  listed: readonly ListedPermissionGroup[],
): PermissionGroupResolution {
  const ids: Record<PermissionScope, string[]> = { account: [], zone: [] };
  const missing: { group: string; scope: PermissionScope }[] = [];
  for (const scope of ["account", "zone"] as const) {
    for (const group of needed[scope]) {
      const found = listed.find(
        (candidate) => candidate.name === group && candidate.scopes.includes(CLOUDFLARE_SCOPE[scope]),
      );
      if (found) ids[scope].push(found.id);
      else missing.push({ group, scope });
    }
  }
  return missing.length === 0 ? { ok: true, ids } : { ok: false, missing };
}

/** The policy `resources` JSON for exactly one account. */
export function accountResources(accountId: string): string {
  return JSON.stringify({ [`${CLOUDFLARE_SCOPE.account}.${accountId}`]: "*" });
}

/** The policy `resources` JSON for exactly one zone. */
export function zoneResources(zoneId: string): string {
  return JSON.stringify({ [`${CLOUDFLARE_SCOPE.zone}.${zoneId}`]: "*" });
}
