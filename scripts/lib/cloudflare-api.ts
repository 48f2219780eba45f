// The Cloudflare v4 API calls the deploy tooling makes itself, through Cloudflare's official
// TypeScript SDK (`cloudflare` on npm). This module adds three things the SDK does not do for us:
//   - classification: every failure becomes a CloudflareApiError of kind transient / auth /
//     not-found / rejected, which callers map to exit codes;
//   - bounded retries of transient failures only, with the injected sleep and logged as they happen;
//   - zod parsing of every result (the SDK's types are compile-time only; an answer of the wrong
//     shape must fail here with a clear message, not later as `undefined`).
// The SDK is loaded on first use (dynamic import), so commands that never call the API, and the
// start-up of those that do, do not pay for loading it. The calls on every deploy's path do not
// load it at all: they go over fetch (cloudflare-rest.ts says why), with the same classification,
// retries and schemas.
import type Cloudflare from "cloudflare";
import type { ClientOptions } from "cloudflare";
import type { DomainListParams, DomainUpdateParams } from "cloudflare/resources/workers/domains";
import { z } from "./zod.ts";
import { withRetries, type Sleep } from "./retry.ts";
import { describeNetworkError, restCall, type FetchLike, type RestRequest } from "./cloudflare-rest.ts";

export const DEFAULT_CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";

export type { FetchLike };

/** How a failed call should be treated. */
export type FailureKind =
  /** 5xx, 429, network reset/timeout: worth another attempt. */
  | "transient"
  /** 401/403 or an auth/permission error code: the token cannot do this. */
  | "auth"
  /** 404 on the resource itself. */
  | "not-found"
  /** Any other 4xx: the request or the account state is wrong; retrying will not help. */
  | "rejected";

export interface CloudflareErrorItem {
  code: number;
  message: string;
}

/** Auth/permission codes Cloudflare returns (with 400/401/403). */
const AUTH_ERROR_CODES = new Set([
  1000, // Invalid API Token
  1001, // Invalid token (token verify); also "Failed common permission check" on token create
  6003, // Invalid request headers (malformed Authorization)
  6111, // Invalid format for Authorization header
  9103, // Unknown X-Auth-Key or X-Auth-Email
  9106, // Missing X-Auth-Key / X-Auth-Email / Authorization headers
  9109, // Unauthorized to access requested resource / invalid access token / request IP not allowed
  10000, // Authentication error (Workers APIs: token lacks the permission)
  10001, // Unable to authenticate request
]);

/** Codes Cloudflare uses for rate limiting and internal errors, whatever the HTTP status. */
const TRANSIENT_ERROR_CODES = new Set([
  971, // Please wait and consider throttling your request speed
  10013, // Workers API: an unknown error has occurred
  10429, // Too many requests
]);

export function classifyApiFailure(status: number | undefined, errors: CloudflareErrorItem[]): FailureKind {
  if (status === undefined) return "transient"; // no response at all: network
  if (status === 429 || status >= 500) return "transient";
  if (status === 401 || status === 403) return "auth";
  if (errors.some((error) => AUTH_ERROR_CODES.has(error.code))) return "auth";
  if (errors.some((error) => TRANSIENT_ERROR_CODES.has(error.code))) return "transient";
  if (status === 404) return "not-found";
  return "rejected";
}

/** A failed Cloudflare API call. `endpoint` is the template (e.g. "GET /zones/:zone_id"). */
export class CloudflareApiError extends Error {
  readonly kind: FailureKind;
  readonly endpoint: string;
  readonly status: number | undefined;
  readonly errors: CloudflareErrorItem[];

  constructor(
    endpoint: string,
    status: number | undefined,
    errors: CloudflareErrorItem[],
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${endpoint} failed: ${detail}`, options);
    this.endpoint = endpoint;
    this.status = status;
    this.errors = errors;
    this.name = "CloudflareApiError";
    this.kind = classifyApiFailure(status, errors);
  }
  hasCode(code: number): boolean {
    return this.errors.some((error) => error.code === code);
  }
  /** No HTTP answer at all (DNS, refused connection, reset, timeout). */
  get isNetworkFailure(): boolean {
    return this.status === undefined;
  }
    /** "message [code: n]; ..." as Cloudflare (and wrangler) render it. */
  get details(): string {
    return this.errors.map((error) => `${error.message} [code: ${error.code}]`).join("; ");
  }
}

/** What a person should read when the API was not reachable at all. */
export function networkFailureHint(): string {
  return (
    "This is the network, not the token: check this machine's connection, proxy and firewall, and " +
    `CLOUDFLARE_API_BASE_URL (unset means ${DEFAULT_CLOUDFLARE_API_BASE_URL}).`
  );
}

export function isTransientApiError(error: unknown): boolean {
  return error instanceof CloudflareApiError && error.kind === "transient";
}

// --- result schemas: only the fields we read; everything else passes through. Each is checked
// against the SDK's response type below, so a field the SDK names differently fails to compile. ---

export const tokenVerifySchema = z
  .object({
    id: z.string(),
    status: z.string(), // "active" | "disabled" | "expired"
    expires_on: z.string().nullish(),
    not_before: z.string().nullish(),
  })
  .loose();
export type TokenVerifyResult = z.infer<typeof tokenVerifySchema>;

export const zoneSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    // Optional in Cloudflare's schema (and the SDK's Zone type): absent means "cannot tell".
    status: z.string().nullish(), // "active" | "pending" | "initializing" | "moved"
    name_servers: z.array(z.string()).nullish(),
    original_name_servers: z.array(z.string()).nullish(),
    account: z.object({ id: z.string().nullish(), name: z.string().nullish() }).loose().nullish(),
  })
  .loose();
export type Zone = z.infer<typeof zoneSchema>;

export const dnsRecordSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    content: z.string().nullish(),
    proxied: z.boolean().nullish(),
    comment: z.string().nullish(),
  })
  .loose();
export type DnsRecord = z.infer<typeof dnsRecordSchema>;

export const workerDomainSchema = z
  .object({
    id: z.string(),
    hostname: z.string(),
    service: z.string(),
    zone_id: z.string().nullish(),
    zone_name: z.string().nullish(),
    environment: z.string().nullish(),
  })
  .loose();
export type WorkerDomain = z.infer<typeof workerDomainSchema>;

export const workerRouteSchema = z
  .object({ id: z.string(), pattern: z.string(), script: z.string().nullish() })
  .loose();
export type WorkerRoute = z.infer<typeof workerRouteSchema>;

export const permissionGroupSchema = z
  .object({ id: z.string(), name: z.string(), scopes: z.array(z.string()).default([]) })
  .loose();
export type PermissionGroup = z.infer<typeof permissionGroupSchema>;

export const tokenDetailSchema = z
  .object({
    id: z.string().nullish(),
    name: z.string().nullish(),
    status: z.string().nullish(),
    expires_on: z.string().nullish(),
    policies: z
      .array(
        z
          .object({
            effect: z.string(),
            permission_groups: z.array(z.object({ id: z.string(), name: z.string().nullish() }).loose()),
            resources: z.record(z.string(), z.unknown()),
          })
          .loose(),
      )
      .nullish(),
  })
  .loose();
export type TokenDetail = z.infer<typeof tokenDetailSchema>;

// Compile-time checks: our schemas read fields the SDK's response types define, with compatible
// types (a renamed or retyped field in a new SDK release breaks `npm run typecheck`).
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type Fits<Ours, Theirs> = {
  [K in KnownKeys<Ours>]: K extends keyof Theirs ? ([Theirs[K]] extends [Ours[K]] ? true : false) : false;
};
type Check<T extends Record<string, true>> = T;
export type SchemaChecks = [
  Check<Fits<TokenVerifyResult, import("cloudflare/resources/user/tokens/tokens").TokenVerifyResponse>>,
  Check<Fits<TokenVerifyResult, import("cloudflare/resources/accounts/tokens/tokens").TokenVerifyResponse>>,
  Check<Fits<Omit<Zone, "account">, import("cloudflare/resources/zones/zones").Zone>>,
  Check<Fits<Omit<DnsRecord, "type" | "content">, import("cloudflare/resources/dns/records").RecordResponse>>,
  Check<Fits<WorkerDomain, import("cloudflare/resources/workers/domains").DomainListResponse>>,
  Check<Fits<WorkerDomain, import("cloudflare/resources/workers/domains").DomainUpdateResponse>>,
  Check<Fits<WorkerRoute, import("cloudflare/resources/workers/routes").RouteListResponse>>,
];

export interface CloudflareClientOptions {
  token: string;
  /** CLOUDFLARE_API_BASE_URL; the SDK gets it as `baseURL` (it would otherwise read CLOUDFLARE_BASE_URL). */
  baseUrl?: string | undefined;
  fetch?: FetchLike;
  sleep?: Sleep;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Attempts per call for transient failures (GETs and idempotent PUTs only). */
  attempts?: number;
  backoffBaseMs?: number;
  onRetry?(message: string): void;
}

type Sdk = typeof import("cloudflare");
let sdkModule: Promise<Sdk> | undefined;
/** The SDK, imported on first use only (it is large; most CLI paths never need it). */
function loadSdk(): Promise<Sdk> {
  sdkModule ??= import("cloudflare");
  return sdkModule;
}

interface CallBase<T> {
  /** Template for messages and classification, e.g. "GET /zones/:zone_id". */
  endpoint: string;
  schema: z.ZodType<T>;
  /** Retry transient failures (default true; false for non-idempotent calls). */
  retry?: boolean;
}
/** A call through the SDK. */
interface SdkCall<T> extends CallBase<T> {
  run(api: Cloudflare): Promise<unknown>;
}
/** A call on the deploy's path, over fetch (see cloudflare-rest.ts). */
interface RestCall<T> extends CallBase<T> {
  rest: RestRequest;
}
type Call<T> = SdkCall<T> | RestCall<T>;

export class CloudflareClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #fetch: FetchLike;
  readonly #options: CloudflareClientOptions;
  #api: Promise<{ api: Cloudflare; sdk: Sdk }> | undefined;

  constructor(options: CloudflareClientOptions) {
    this.baseUrl = (options.baseUrl || DEFAULT_CLOUDFLARE_API_BASE_URL).replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#options = options;
  }

  #client(): Promise<{ api: Cloudflare; sdk: Sdk }> {
    this.#api ??= loadSdk().then((sdk) => {
      const clientOptions: ClientOptions = {
        apiToken: this.#token,
        baseURL: this.baseUrl,
        fetch: (input, init) => this.#fetch(String(input instanceof Request ? input.url : input), init),
        timeout: this.#options.timeoutMs ?? 30_000,
        // Our own retries instead of the SDK's: the SDK retries every 409, and Cloudflare answers
        // 409 for conflicts that never clear on their own (100116/100117 hostname taken, 10020
        // route exists); its backoff cannot take the injected sleep (tests), and its retries are
        // not reported to the operator. withRetries retries exactly the transient classes.
        maxRetries: 0,
        // Never log request details (the Authorization header) whatever CLOUDFLARE_LOG says.
        logLevel: "off",
      };
      return { api: new sdk.Cloudflare(clientOptions), sdk };
    });
    return this.#api;
  }

  /** One call: retried (bounded, growing backoff) only when the failure is transient. */
  async request<T>(call: Call<T>): Promise<T> {
    const once = () => this.#once(call);
    if (call.retry === false) return once();
    return withRetries(once, {
      attempts: this.#options.attempts ?? 3,
      baseMs: this.#options.backoffBaseMs ?? 1_000,
      maxMs: 10_000,
      isTransient: isTransientApiError,
      ...(this.#options.sleep ? { sleep: this.#options.sleep } : {}),
      onRetry: ({ nextAttempt, delayMs, error }) =>
        this.#options.onRetry?.(
          `${error instanceof Error ? error.message : String(error)}; retrying in ${Math.round(delayMs / 100) / 10}s (attempt ${nextAttempt})`,
        ),
    });
  }

  async #once<T>(call: Call<T>): Promise<T> {
    const raw = "rest" in call ? await this.#rest(call) : await this.#sdk(call);
    const result = call.schema.safeParse(raw);
    if (!result.success) {
      throw new CloudflareApiError(call.endpoint, 200, [], `unexpected result shape: ${z.prettifyError(result.error).replace(/\n/g, " ")}`);
    }
    return result.data;
  }

  async #sdk(call: SdkCall<unknown>): Promise<unknown> {
    const { api, sdk } = await this.#client();
    try {
      return await call.run(api);
    } catch (error) {
      throw toApiError(sdk, call.endpoint, error, this.baseUrl);
    }
  }

  async #rest(call: RestCall<unknown>): Promise<unknown> {
    const outcome = await restCall(
      { baseUrl: this.baseUrl, token: this.#token, fetch: this.#fetch, timeoutMs: this.#options.timeoutMs ?? 30_000 },
      call.rest,
    );
    if (outcome.ok) return outcome.result;
    throw new CloudflareApiError(call.endpoint, outcome.status, outcome.errors, outcome.detail, outcome.cause === undefined ? undefined : { cause: outcome.cause });
  }

  // --- endpoints used by the deploy tooling (each listed in docs/permissions.md with its SDK method) ---

  /** Account-owned tokens verify here; user tokens answer 4xx here and verify at /user/tokens/verify. */
  verifyAccountToken(accountId: string) {
    return this.request({
      endpoint: "GET /accounts/:account_id/tokens/verify",
      rest: { method: "GET", path: `/accounts/${accountId}/tokens/verify` },
      schema: tokenVerifySchema,
    });
  }

  verifyUserToken() {
    return this.request({ endpoint: "GET /user/tokens/verify", rest: { method: "GET", path: "/user/tokens/verify" }, schema: tokenVerifySchema });
  }

  getZone(zoneId: string) {
    return this.request({ endpoint: "GET /zones/:zone_id", rest: { method: "GET", path: `/zones/${zoneId}` }, schema: zoneSchema });
  }

  /** Zones named `name` the token can see (any account). */
  listZonesByName(name: string) {
    return this.request({
      endpoint: "GET /zones",
      run: (api) => allPages(api.zones.list({ name, per_page: 50 })),
      schema: z.array(zoneSchema),
    });
  }

  /** DNS records named exactly `name` (all pages; Cloudflare's result may be null when empty). */
  listDnsRecords(zoneId: string, name: string) {
    return this.request({
      endpoint: "GET /zones/:zone_id/dns_records",
      // The SDK spells RecordListParams' name: { exact } as name.exact (Cloudflare's current schema).
      rest: { method: "GET", path: `/zones/${zoneId}/dns_records`, query: { "name.exact": name, per_page: 100 }, paginate: true },
      schema: z.array(dnsRecordSchema),
    });
  }

  listWorkerDomains(accountId: string, filter: { hostname?: string; service?: string; zone_id?: string }) {
    return this.request({
      endpoint: "GET /accounts/:account_id/workers/domains",
      // A single-page list (the SDK's SinglePage): no page parameters.
      rest: { method: "GET", path: `/accounts/${accountId}/workers/domains`, query: { ...filter } satisfies Omit<DomainListParams, "account_id"> },
      schema: z.array(workerDomainSchema),
    });
  }

  listZoneWorkerRoutes(zoneId: string) {
    return this.request({
      endpoint: "GET /zones/:zone_id/workers/routes",
      rest: { method: "GET", path: `/zones/${zoneId}/workers/routes` }, // a single-page list, like the SDK's
      schema: z.array(workerRouteSchema),
    });
  }

  /**
   * Attach Domain without any override: Cloudflare refuses with 100117 when a DNS record exists
   * at the hostname and 100116 when another Worker holds it. Idempotent for the same Worker.
   * No `environment`: deprecated, and gone from the current schema (and the SDK's params).
   */
  attachWorkerDomain(accountId: string, body: { hostname: string; service: string; zone_id: string }) {
    return this.request({
      endpoint: "PUT /accounts/:account_id/workers/domains",
      rest: { method: "PUT", path: `/accounts/${accountId}/workers/domains`, body: body satisfies Omit<DomainUpdateParams, "account_id"> },
      schema: workerDomainSchema,
    });
  }

  /**
   * Detach Domain. Cloudflare answers 200 with an envelope, or (the 2024 schema: no response
   * body) 200 with an empty body; both mean detached. The SDK returns the body as it came.
   */
  detachWorkerDomain(accountId: string, domainId: string) {
    return this.request({
      endpoint: "DELETE /accounts/:account_id/workers/domains/:domain_id",
      run: (api) => api.workers.domains.delete(domainId, { account_id: accountId }),
      schema: z.unknown(),
    });
  }

  /**
   * One Worker version's detail. Used for its `annotations` (workers/tag = our build id) when a
   * version *list* item has none: the schema defines annotations on neither, Cloudflare returns
   * them on both, and wrangler reads them from the list; the detail is the fallback.
   */
  getWorkerVersion(accountId: string, scriptName: string, versionId: string) {
    return this.request({
      endpoint: "GET /accounts/:account_id/workers/scripts/:script_name/versions/:version_id",
      run: (api) => api.workers.scripts.versions.get(versionId, { account_id: accountId, script_name: scriptName }),
      schema: z.object({ id: z.string(), annotations: z.record(z.string(), z.string()).nullish() }).loose(),
    });
  }

  /** Permission groups an account-owned token can be granted (needs API Tokens Read or Write). */
  listAccountPermissionGroups(accountId: string) {
    return this.request({
      endpoint: "GET /accounts/:account_id/tokens/permission_groups",
      run: (api) => allPages(api.accounts.tokens.permissionGroups.list({ account_id: accountId })),
      schema: z.array(permissionGroupSchema),
    });
  }

  /** Permission groups a user-owned token can be granted. */
  listUserPermissionGroups() {
    return this.request({
      endpoint: "GET /user/tokens/permission_groups",
      run: (api) => allPages(api.user.tokens.permissionGroups.list()),
      schema: z.array(permissionGroupSchema),
    });
  }

  /** An account-owned token's details, policies included (the token reading itself needs API Tokens Read). */
  getAccountToken(accountId: string, tokenId: string) {
    return this.request({
      endpoint: "GET /accounts/:account_id/tokens/:token_id",
      run: (api) => api.accounts.tokens.get(tokenId, { account_id: accountId }),
      schema: tokenDetailSchema,
    });
  }

  /** A user-owned token's details, policies included. */
  getUserToken(tokenId: string) {
    return this.request({
      endpoint: "GET /user/tokens/:token_id",
      run: (api) => api.user.tokens.get(tokenId),
      schema: tokenDetailSchema,
    });
  }
}

interface Page<Item> {
  getPaginatedItems(): Item[];
  hasNextPage(): boolean;
  getNextPage(): Promise<Page<Item>>;
  result_info?: { page?: number | undefined; total_pages?: number | undefined } | undefined;
}

/**
 * Every item of a list. The SDK's auto-pagination asks for pages until one comes back empty (one
 * request more than needed); we stop at result_info.total_pages when Cloudflare reports it.
 */
async function allPages<Item>(first: PromiseLike<Page<Item>>): Promise<Item[]> {
  let page = await first;
  const items = [...page.getPaginatedItems()];
  for (let guard = 0; guard < 1_000; guard += 1) {
    const info = page.result_info;
    if (info?.total_pages !== undefined && (info.page ?? 1) >= info.total_pages) break;
    if (!page.hasNextPage()) break;
    page = await page.getNextPage();
    items.push(...page.getPaginatedItems());
  }
  return items;
}

/** The SDK's typed errors -> our classified error. */
function toApiError(sdk: Sdk, endpoint: string, error: unknown, baseUrl: string): CloudflareApiError {
  if (error instanceof sdk.APIConnectionError) {
    const detail = error instanceof sdk.APIConnectionTimeoutError ? "timed out" : describeNetworkError(error.cause ?? error);
    return new CloudflareApiError(endpoint, undefined, [], `network error reaching ${baseUrl} (${detail})`, { cause: error });
  }
  if (error instanceof sdk.APIError) {
    const errors = (error.errors ?? [])
      .filter((item): item is { code: number; message: string } => typeof item?.code === "number")
      .map((item) => ({ code: item.code, message: String(item.message ?? "") }));
    const detail = errors.length > 0 ? errors.map((e) => `${e.message} [code: ${e.code}]`).join("; ") : "no error details";
    return new CloudflareApiError(endpoint, error.status, errors, `HTTP ${error.status ?? "?"}: ${detail}`, { cause: error });
  }
  // A body that is not Cloudflare's envelope (e.g. a proxy's HTML page) surfaces as a TypeError
  // from the SDK's unwrapping, or reaches the schema check: both mean "not Cloudflare's answer".
  return new CloudflareApiError(endpoint, 200, [], `unexpected response (${error instanceof Error ? error.message : String(error)})`, {
    cause: error,
  });
}

