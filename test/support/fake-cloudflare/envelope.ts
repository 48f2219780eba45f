// Cloudflare API v4 envelopes, list pagination, and the error codes the fake answers with.

export interface ApiResponse {
  status: number;
  /** undefined: an empty body (no Content-Type), as some endpoints answer. */
  body: unknown;
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

/** A success envelope; `ok<SdkType>(...)` checks the result against the SDK's response type. */
export function ok<T = unknown>(result: T, status = 200): ApiResponse {
  return { status, body: { success: true, errors: [], messages: [], result } };
}

/** Page size defaults and maxima of a paginated list endpoint. */
export interface Paging {
  defaultPerPage: number;
  maxPerPage: number;
}

/**
 * The real paging of the lists the deploy tooling reads, from Cloudflare's published OpenAPI
 * schema (the SDK types per_page as a bare number):
 * - zones: components/schemas/zones_per_page: default 20, minimum 5, maximum 50;
 * - DNS records: components/schemas/dns-records_per_page: default 100, minimum 1, maximum 5,000,000.
 * What Cloudflare does with a per_page above the maximum is not documented; the fake clamps
 * (result_info.per_page then says what was used).
 */
export const PAGING = {
  zones: { defaultPerPage: 20, maxPerPage: 50 },
  dnsRecords: { defaultPerPage: 100, maxPerPage: 5_000_000 },
} as const satisfies Record<string, Paging>;

/** Lists the schema does not paginate (Custom Domains, routes, permission groups): one page of everything. */
const UNPAGED: Paging = { defaultPerPage: Number.MAX_SAFE_INTEGER, maxPerPage: Number.MAX_SAFE_INTEGER };

/** A list result, with the page-based result_info Cloudflare's list endpoints return. */
export function okList(items: unknown[], query: Record<string, string> = {}, paging: Paging = UNPAGED): ApiResponse {
  const asked = Number(query["per_page"] ?? 0) || paging.defaultPerPage;
  const perPage = Math.min(Math.max(1, asked), paging.maxPerPage);
  const page = Number(query["page"] ?? 1) || 1;
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const resultInfo: ResultInfo = {
    page,
    per_page: paging === UNPAGED ? Math.max(items.length, 1) : perPage,
    count: slice.length,
    total_count: items.length,
    total_pages: Math.max(1, Math.ceil(items.length / perPage)),
  };
  return {
    status: 200,
    body: { success: true, errors: [], messages: [], result: slice, result_info: resultInfo },
  };
}

/** 200 with no body at all: the 2024 schema's answer to Detach Domain (DELETE .../workers/domains/:id). */
export function okEmpty(): ApiResponse {
  return { status: 200, body: undefined };
}

export function fail(status: number, code: number, message: string): ApiResponse {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

/**
 * Error codes, with the HTTP status Cloudflare pairs them with. Each comment names where the code
 * and text come from (a public report, wrangler's sources, Cloudflare's docs); where the HTTP
 * status was not visible there, it says so.
 */
export const CloudflareError = {
  /** Missing, unknown or inactive token, or no permission: "Authentication error". */
  authentication: (status: 401 | 403 = 403) => fail(status, 10000, "Authentication error"),
  /** What the verify endpoints say about a token they can't verify. */
  invalidToken: () => fail(401, 1000, "Invalid API Token"),
  /** wrangler's WORKER_NOT_FOUND_ERR_CODE. */
  scriptNotFound: () => fail(404, 10007, "This Worker does not exist on your account."),
  /** wrangler's WORKER_LEGACY_ENVIRONMENT_NOT_FOUND_ERR_CODE, from /workers/services/:name. */
  serviceNotFound: () => fail(404, 10090, "workers.api.error.service_not_found"),
  /** Cloudflare's generic answer for an id in the path that names nothing. */
  noRoute: (path: string) =>
    fail(404, 7003, `Could not route to ${path}, perhaps your object identifier is invalid?`),
  badRequest: (message: string) => fail(400, 10014, message),
  /** Durable Object binding to a class no migration created. */
  durableObjectClassNotMigrated: (className: string) =>
    fail(
      400,
      10061,
      `Cannot create binding for class '${className}' that is not currently configured to implement durable objects. Did you forget to apply a Durable Object migration?`,
    ),
  /** Upload whose migrations.old_tag doesn't match the script's current tag. */
  migrationTagPrecondition: (expected: string | undefined, got: string | undefined) =>
    fail(
      400,
      10079,
      `Migration tag precondition failed; current tag is ${expected === undefined ? "unset" : `'${expected}'`}, but old_tag was ${got === undefined ? "unset" : `'${got}'`}`,
    ),
  routeExists: () => fail(409, 10020, "A route with the same pattern already exists."),
  /**
   * The hostname has an A/AAAA/CNAME record no Custom Domain made. HTTP 409 and both texts were
   * seen in public reports: the Attach Domain API (2026) and wrangler's domains/records (2025).
   */
  externallyManagedDns: (hostname: string, via: "attach" | "records" = "attach") =>
    fail(
      409,
      100117,
      via === "attach"
        ? `Hostname '${hostname}' already has externally managed DNS records (A, CNAME, etc). Delete them first or try a different hostname.`
        : `Hostname '${hostname}' already has externally managed DNS records (A, CNAME, etc). Either delete them, try a different hostname, or use the option 'override_existing_dns_record' to override.`,
    ),
  /** The hostname is another Worker's Custom Domain. HTTP 409 and text as publicly reported. */
  hostnameInUse: (hostname: string) =>
    fail(
      409,
      100116,
      `Hostname '${hostname}' already in use by other custom domain. Either delete it, try a different hostname, or use the option 'override_existing_origin' to override.`,
    ),
  dnsRecordExists: () => fail(400, 81053, "An A, AAAA, or CNAME record with that host already exists."),
  rateLimited: () => fail(429, 971, "Please wait and consider throttling your request speed"),
  /**
   * A token whose Client IP Address Filtering excludes the caller. Code, text and HTTP 403 as
   * shown in public reports (e.g. "Cannot use the access token from location: <ip> [code: 9109]"
   * from `wrangler whoami` and curl against /user/tokens/verify with an IP-restricted token).
   */
  ipRestricted: (ip: string) => fail(403, 9109, `Cannot use the access token from location: ${ip}`),
  /**
   * Creating a token that grants a group its creator does not hold on those resources: HTTP 400,
   * code 1001, as reported against the provider (terraform-provider-cloudflare issue 7241) and in
   * public setup notes ("Failed common permission check against resources. (Permission group: ...)").
   */
  commonPermissionCheck: (group: string) =>
    fail(400, 1001, `Failed common permission check against resources. (Permission group: "${group}")`),
  /**
   * Rolling back (Create Deployment with an older version) across a Durable Object migration:
   * code 100140 and this text as public rollback reports show (cited in issue #10); HTTP status
   * not shown there (400 here).
   */
  rollbackExternalResources: (namespace: string) =>
    fail(400, 100140, `Failed to rollback due to external resources being modified (durable-object:${namespace})`),
  /**
   * Upload Version (POST .../versions) whose metadata carries a Durable Object migration: code
   * 10211, the refusal wrangler's \`versions upload\` meets (wrangler tells users to use
   * \`wrangler deploy\` for migrations); HTTP status as reported: 400.
   */
  versionUploadWithMigration: () =>
    fail(400, 10211, "A version with migrations cannot be uploaded; migrations must be applied with a deployment (wrangler deploy)."),
  internal: () => fail(500, 10013, "An unknown error has occurred"),
} as const;
