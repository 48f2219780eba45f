// Public types of the fake Cloudflare API. Tests and the deploy/ops CLIs' tests code against
// these, so keep them stable: add fields, don't rename them.

/** One HTTP request the fake received, in arrival order. */
export interface RecordedRequest {
  method: string;
  /** Path without the /client/v4 prefix, e.g. /accounts/abc/workers/scripts/x */
  path: string;
  query: Record<string, string>;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Parsed JSON body (absent for multipart and empty bodies). */
  body?: unknown;
  /** Parts of a multipart/form-data body (Worker uploads, settings PATCH). */
  parts?: RecordedPart[];
  /**
   * Normalised template, e.g. "PUT /accounts/:account_id/workers/scripts/:script_name".
   * Requests the fake does not know get "<METHOD> <path>" and a 404.
   */
  endpoint: string;
}

export interface RecordedPart {
  name: string;
  filename?: string;
  contentType?: string;
  /** For text parts: metadata JSON, JavaScript modules, source maps, plain text. */
  text?: string;
  size: number;
}

export type TokenStatus = "active" | "disabled" | "expired";

export interface FakeTokenOptions {
  status: TokenStatus;
  expiresOn?: string;
  notBefore?: string;
  /** "account": an account-owned token (verify at /accounts/:id/tokens/verify only);
   *  "user" (default): a user token (verify at /user/tokens/verify only). */
  kind?: "account" | "user";
  /** Endpoint templates this token may call; any other -> 403 code 10000. Default "all". */
  permissions?: "all" | string[];
  /** Token id reported by the verify endpoints (default: derived from the token). */
  id?: string;
  /**
   * Client IP Address Filtering that excludes the caller: every request with this token gets
   * 403 code 9109 (the user verify endpoint still says 1000 for an account-owned token).
   */
  ipRestricted?: boolean;
  /**
   * The token's policies as GET /accounts/:id/tokens/:token_id (or /user/tokens/:token_id)
   * returns them: permission groups by name (the fake gives them the ids of its permission-group
   * list) and resources as Cloudflare writes them. Absent: the token's details cannot be read
   * (403 code 10000 on those endpoints, as for a token without API Tokens Read).
   */
  policies?: FakeTokenPolicy[];
  /** Token name in the dashboard (token details). */
  name?: string;
}

export interface FakeTokenPolicy {
  effect?: "allow" | "deny";
  permissionGroups: string[];
  /** e.g. { "com.cloudflare.api.account.<id>": "*" } or { "com.cloudflare.api.account.zone.<id>": "*" }. */
  resources: Record<string, string>;
}

/** What Detach Domain (DELETE /accounts/:id/workers/domains/:id) answers on success. */
export type DetachAnswer =
  /** 200 with Cloudflare's envelope, result null. */
  | "envelope"
  /** 200 with an empty body: the 2024 schema defines no response body for it. */
  | "empty";

export interface FakeZoneOptions {
  id: string;
  name: string;
  status: "active" | "pending";
  nameServers?: string[];
}

export interface FakeDnsRecordOptions {
  id?: string;
  zoneId: string;
  name: string;
  type: string;
  content: string;
  proxied?: boolean;
  comment?: string;
}

export interface FakeWorkerDomainOptions {
  id?: string;
  hostname: string;
  service: string;
  zoneId: string;
  zoneName?: string;
  environment?: string;
}

/** A Worker that exists before the test starts (e.g. one that already holds a hostname). */
export interface FakeScriptOptions {
  name: string;
  /** Durable Object migration tag already applied. */
  migrationTag?: string;
  /** Durable Object classes the migrations created. */
  durableObjectClasses?: string[];
  /** Bindings of its one deployed version, in the upload metadata's format. */
  bindings?: Record<string, unknown>[];
  compatibilityDate?: string;
  /** workers.dev subdomain state. */
  workersDev?: boolean;
  /** Names of secrets set on it earlier (`wrangler secret put`); values are never modelled. */
  secretNames?: string[];
}

export interface FakeCloudflareOptions {
  /** 32 lower-case hex characters. */
  accountId: string;
  accountName?: string;
  /** Known API tokens. Default: { [FAKE_API_TOKEN]: { status: "active" } }. */
  tokens?: Record<string, FakeTokenOptions>;
  zones?: FakeZoneOptions[];
  dnsRecords?: FakeDnsRecordOptions[];
  workerDomains?: FakeWorkerDomainOptions[];
  scripts?: FakeScriptOptions[];
  /** The account's workers.dev subdomain (default "fake-account"). */
  workersSubdomain?: string;
  /** What a successful Detach Domain answers (default "envelope"; `state.detachAnswer` changes it later). */
  detachAnswer?: DetachAnswer;
  /** Zones report no `status` (optional in Cloudflare's schema). */
  omitZoneStatus?: boolean;
  /** DNS record lists answer `result: null` instead of [] when nothing matches (seen in the schema: nullable). */
  nullEmptyDnsList?: boolean;
  /**
   * Version list items carry `annotations` (default true). The schema does not define them on
   * list items (only wrangler's reading of real answers shows them); false leaves them to the
   * version detail, as a client that must not rely on them would see.
   */
  versionListAnnotations?: boolean;
  /** Print unknown requests to stderr (default true). */
  logUnhandled?: boolean;
}

export type Failure = { status: number; code?: number; message?: string } | "reset";
