// A small typed client for the Cloudflare v4 API: fetch is injected, every result is parsed
// with zod, and every failure is classified (transient vs auth vs other) so callers can decide
// what to retry and which exit code to use. Used by the deploy preflight and domain attach.
import { z } from "./zod.ts";
import { withRetries, type Sleep } from "./retry.ts";

export const DEFAULT_CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

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
  1001, // Invalid token (token verify)
  6003, // Invalid request headers (malformed Authorization)
  6111, // Invalid format for Authorization header
  9103, // Unknown X-Auth-Key or X-Auth-Email
  9106, // Missing X-Auth-Key / X-Auth-Email / Authorization headers
  9109, // Unauthorized to access requested resource / invalid access token
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
  /** "message [code: n]; ..." as Cloudflare (and wrangler) render it. */
  get details(): string {
    return this.errors.map((error) => `${error.message} [code: ${error.code}]`).join("; ");
  }
}

export function isTransientApiError(error: unknown): boolean {
  return error instanceof CloudflareApiError && error.kind === "transient";
}

const envelope = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number(), message: z.string() }).loose()).default([]),
  messages: z.array(z.unknown()).default([]),
  result: z.unknown(),
  result_info: z
    .object({ page: z.number().optional(), per_page: z.number().optional(), total_count: z.number().optional(), total_pages: z.number().optional() })
    .loose()
    .nullish(),
});

// --- result schemas (only the fields we read; everything else passes through) ---

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
    status: z.string(), // "active" | "pending" | "initializing" | "moved" | ...
    name_servers: z.array(z.string()).nullish(),
    original_name_servers: z.array(z.string()).nullish(),
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

export interface CloudflareClientOptions {
  token: string;
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

interface RequestSpec<T> {
  method: "GET" | "PUT" | "POST" | "DELETE" | "PATCH";
  /** Template with :params, e.g. "/zones/:zone_id". */
  template: string;
  params?: Record<string, string>;
  query?: Record<string, string | undefined>;
  body?: unknown;
  schema: z.ZodType<T>;
}

export class CloudflareClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #fetch: FetchLike;
  readonly #options: CloudflareClientOptions;

  constructor(options: CloudflareClientOptions) {
    this.baseUrl = (options.baseUrl || DEFAULT_CLOUDFLARE_API_BASE_URL).replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#options = options;
  }

  /** One call: retried (bounded, growing backoff) only when the failure is transient. */
  async request<T>(spec: RequestSpec<T>): Promise<T> {
    const endpoint = `${spec.method} ${spec.template}`;
    return withRetries(() => this.#once(spec, endpoint), {
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

  async #once<T>(spec: RequestSpec<T>, endpoint: string): Promise<T> {
    let path = spec.template;
    for (const [name, value] of Object.entries(spec.params ?? {})) {
      path = path.replace(`:${name}`, encodeURIComponent(value));
    }
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(spec.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, value);
    }
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#token}`, Accept: "application/json" };
    if (spec.body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await this.#fetch(url.toString(), {
        method: spec.method,
        headers,
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new CloudflareApiError(endpoint, undefined, [], `network error (${describeNetworkError(error)})`, { cause: error });
    }
    const text = await response.text().catch(() => "");
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CloudflareApiError(endpoint, response.status, [], `HTTP ${response.status}, not a JSON response`);
    }
    const parsed = envelope.safeParse(json);
    if (!parsed.success) {
      throw new CloudflareApiError(endpoint, response.status, [], `HTTP ${response.status}, unexpected response shape`);
    }
    const errors = parsed.data.errors.map((error) => ({ code: error.code, message: error.message }));
    if (!response.ok || !parsed.data.success) {
      const detail = errors.length > 0 ? errors.map((e) => `${e.message} [code: ${e.code}]`).join("; ") : "no error details";
      throw new CloudflareApiError(endpoint, response.status, errors, `HTTP ${response.status}: ${detail}`);
    }
    const result = spec.schema.safeParse(parsed.data.result);
    if (!result.success) {
      throw new CloudflareApiError(
        endpoint,
        response.status,
        [],
        `unexpected result shape: ${z.prettifyError(result.error).replace(/\n/g, " ")}`,
      );
    }
    return result.data;
  }

  // --- endpoints used by the deploy tooling (each listed in docs/permissions.md) ---

  /** Account-owned tokens verify here; user tokens answer 4xx here and verify at /user/tokens/verify. */
  verifyAccountToken(accountId: string) {
    return this.request({
      method: "GET",
      template: "/accounts/:account_id/tokens/verify",
      params: { account_id: accountId },
      schema: tokenVerifySchema,
    });
  }

  verifyUserToken() {
    return this.request({ method: "GET", template: "/user/tokens/verify", schema: tokenVerifySchema });
  }

  getZone(zoneId: string) {
    return this.request({ method: "GET", template: "/zones/:zone_id", params: { zone_id: zoneId }, schema: zoneSchema });
  }

  listDnsRecords(zoneId: string, name: string) {
    return this.request({
      method: "GET",
      template: "/zones/:zone_id/dns_records",
      params: { zone_id: zoneId },
      query: { name, per_page: "100" },
      schema: z.array(dnsRecordSchema),
    });
  }

  listWorkerDomains(accountId: string, filter: { hostname?: string; service?: string; zone_id?: string }) {
    return this.request({
      method: "GET",
      template: "/accounts/:account_id/workers/domains",
      params: { account_id: accountId },
      query: filter,
      schema: z.array(workerDomainSchema),
    });
  }

  listZoneWorkerRoutes(zoneId: string) {
    return this.request({
      method: "GET",
      template: "/zones/:zone_id/workers/routes",
      params: { zone_id: zoneId },
      schema: z.array(workerRouteSchema),
    });
  }

  /**
   * Attach Domain without any override: Cloudflare refuses with 100117 when a DNS record exists
   * at the hostname and 100116 when another Worker holds it. Idempotent for the same Worker.
   */
  attachWorkerDomain(accountId: string, body: { hostname: string; service: string; zone_id: string }) {
    return this.request({
      method: "PUT",
      template: "/accounts/:account_id/workers/domains",
      params: { account_id: accountId },
      body: { environment: "production", ...body },
      schema: workerDomainSchema,
    });
  }
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === "object" && "code" in cause ? String((cause as { code: unknown }).code) : undefined;
    if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
    return code ? `${error.message}: ${code}` : error.message;
  }
  return String(error);
}
