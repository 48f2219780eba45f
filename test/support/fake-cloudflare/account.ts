// Token verification, token details and permission groups, user, memberships and accounts.
import type { Account } from "cloudflare/resources/accounts/accounts";
import type { PermissionGroupListResponse } from "cloudflare/resources/accounts/tokens/permission-groups";
import type { UserGetResponse } from "cloudflare/resources/user/user";
import type { TokenVerifyResponse } from "cloudflare/resources/user/tokens/tokens";
import type { Token } from "cloudflare/resources/shared";
import { CloudflareError, ok, okList, type ApiResponse } from "./envelope.ts";
import type { RequestContext, Route } from "./router.ts";
import type { FakeCloudflareState, FakeTokenState } from "./state.ts";

export const VERIFY_ENDPOINTS = new Set([
  "GET /user/tokens/verify",
  "GET /accounts/:account_id/tokens/verify",
]);

export const tokenRoutes: Route[] = [
  { method: "GET", template: "/user/tokens/verify", handler: ({ token }) => verify(token, "user") },
  {
    method: "GET",
    template: "/accounts/:account_id/tokens/verify",
    handler: ({ token }) => verify(token, "account"),
  },
  {
    method: "GET",
    template: "/accounts/:account_id/tokens/permission_groups",
    handler: ({ query }) => okList(permissionGroups("account"), query),
  },
  { method: "GET", template: "/user/tokens/permission_groups", handler: ({ query }) => okList(permissionGroups("user"), query) },
  { method: "GET", template: "/accounts/:account_id/tokens/:token_id", handler: (context) => tokenDetails(context, "account") },
  { method: "GET", template: "/user/tokens/:token_id", handler: (context) => tokenDetails(context, "user") },
];

/**
 * A slice of Cloudflare's permission-group list: the groups the deploy token and the bootstrap
 * token use, and look-alikes in other scopes. Names and scopes as Cloudflare lists them; ids are
 * the fake's own (the program and the doctor resolve names to ids, never hard-code ids).
 */
export const FAKE_PERMISSION_GROUPS: readonly (Required<Pick<PermissionGroupListResponse, "id" | "name" | "scopes">> & {
  kinds: readonly ("account" | "user")[];
})[] = [
  { id: "fa0000000000000000000000000000a1", name: "Workers Scripts Write", scopes: ["com.cloudflare.api.account"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000a2", name: "Account Settings Read", scopes: ["com.cloudflare.api.account"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000a3", name: "Workers Tail Read", scopes: ["com.cloudflare.api.account"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000a4", name: "API Tokens Write", scopes: ["com.cloudflare.api.account"], kinds: ["account"] },
  { id: "fa0000000000000000000000000000a5", name: "API Tokens Read", scopes: ["com.cloudflare.api.account"], kinds: ["account"] },
  { id: "fa0000000000000000000000000000a6", name: "Zone Write", scopes: ["com.cloudflare.api.account.zone"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000b1", name: "Zone Read", scopes: ["com.cloudflare.api.account.zone"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000b2", name: "DNS Read", scopes: ["com.cloudflare.api.account.zone"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000b3", name: "DNS Write", scopes: ["com.cloudflare.api.account.zone"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000b4", name: "Workers Routes Write", scopes: ["com.cloudflare.api.account.zone"], kinds: ["account", "user"] },
  { id: "fa0000000000000000000000000000c1", name: "API Tokens Write", scopes: ["com.cloudflare.api.user"], kinds: ["user"] },
  { id: "fa0000000000000000000000000000c2", name: "API Tokens Read", scopes: ["com.cloudflare.api.user"], kinds: ["user"] },
  { id: "fa0000000000000000000000000000c3", name: "Workers KV Storage Write", scopes: ["com.cloudflare.api.account"], kinds: ["account", "user"] },
];

function permissionGroups(kind: "account" | "user"): PermissionGroupListResponse[] {
  return FAKE_PERMISSION_GROUPS.filter((group) => group.kinds.includes(kind)).map(({ id, name, scopes }) => ({ id, name, scopes: [...scopes] }));
}

/** The id the fake's list gives a group name at a scope (user-scope groups for "API Tokens ..." of user tokens). */
function groupId(name: string, preferUser: boolean): string {
  const candidates = FAKE_PERMISSION_GROUPS.filter((group) => group.name === name);
  const preferred = candidates.find((group) => group.scopes.includes("com.cloudflare.api.user") === preferUser) ?? candidates[0];
  if (!preferred) throw new Error(`fake-cloudflare: unknown permission group "${name}"`);
  return preferred.id;
}

/**
 * Token details (policies included). A token reads itself only if it holds API Tokens Read or
 * Write; the fake says so with `policies` present (absent: 403 code 10000, as without the group).
 */
function tokenDetails({ token, params, path }: RequestContext, where: "user" | "account"): ApiResponse {
  const target = [...(token ? [token] : [])].find((candidate) => candidate.id === params["token_id"]);
  if (!token?.policies) return CloudflareError.authentication(403);
  if (!target || (target.kind ?? "user") !== where) return CloudflareError.noRoute(path);
  const details: Token = {
    id: target.id,
    name: target.name ?? "bootstrap",
    status: target.status,
    ...(target.expiresOn ? { expires_on: target.expiresOn } : {}),
    policies: (target.policies ?? []).map((policy, index) => ({
      id: `policy-${index}`,
      effect: policy.effect ?? "allow",
      permission_groups: policy.permissionGroups.map((name) => ({
        id: groupId(name, where === "user" && Object.keys(policy.resources).some((key) => key.startsWith("com.cloudflare.api.user"))),
        name,
      })),
      resources: policy.resources,
    })),
  };
  return ok(details);
}

/**
 * Verify Token. A token of the other kind, or an unknown one, can't be verified there
 * (Cloudflare: 401, code 1000 "Invalid API Token"); disabled and expired tokens are reported
 * with their status so a preflight can say why a token is unusable.
 */
function verify(token: FakeTokenState | undefined, where: "user" | "account"): ApiResponse {
  if (!token || (token.kind ?? "user") !== where) return CloudflareError.invalidToken();
  return ok<TokenVerifyResponse>({
    id: token.id,
    status: token.status,
    ...(token.expiresOn ? { expires_on: token.expiresOn } : {}),
    ...(token.notBefore ? { not_before: token.notBefore } : {}),
  });
}

export const accountRoutes: Route[] = [
  { method: "GET", template: "/user", handler: getUser },
  { method: "GET", template: "/memberships", handler: listMemberships },
  { method: "GET", template: "/accounts", handler: listAccounts },
  { method: "GET", template: "/accounts/:account_id", handler: getAccount },
];

function accountObject(state: FakeCloudflareState): Account {
  return {
    id: state.accountId,
    name: state.accountName,
    type: "standard",
    settings: { enforce_twofactor: false },
    created_on: "2026-01-01T00:00:00.000000Z",
  };
}

function getUser(): ApiResponse {
  return ok<UserGetResponse & { suspended: boolean }>({ id: "fake-user-id", email: "fake-user@example.com", suspended: false });
}

function listMemberships({ state, query }: RequestContext): ApiResponse {
  return okList(
    [
      {
        id: "fake-membership-id",
        status: "accepted",
        account: accountObject(state),
        roles: ["Administrator"],
        permissions: {},
      },
    ],
    query,
  );
}

function listAccounts({ state, query }: RequestContext): ApiResponse {
  return okList([accountObject(state)], query);
}

function getAccount({ state }: RequestContext): ApiResponse {
  return ok(accountObject(state));
}
