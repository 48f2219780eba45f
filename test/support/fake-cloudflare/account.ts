// Token verification, user, memberships and accounts.
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
];

/**
 * Verify Token. A token of the other kind, or an unknown one, can't be verified there
 * (Cloudflare: 401, code 1000 "Invalid API Token"); disabled and expired tokens are reported
 * with their status so a preflight can say why a token is unusable.
 */
function verify(token: FakeTokenState | undefined, where: "user" | "account"): ApiResponse {
  if (!token || (token.kind ?? "user") !== where) return CloudflareError.invalidToken();
  return ok({
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

function accountObject(state: FakeCloudflareState): Record<string, unknown> {
  return {
    id: state.accountId,
    name: state.accountName,
    type: "standard",
    settings: { enforce_twofactor: false },
    created_on: "2026-01-01T00:00:00.000000Z",
  };
}

function getUser(): ApiResponse {
  return ok({ id: "fake-user-id", email: "fake-user@example.com", suspended: false });
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
