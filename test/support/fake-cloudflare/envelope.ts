// Cloudflare API v4 envelopes and the error codes the fake answers with.

export interface ApiResponse {
  status: number;
  body: unknown;
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export function ok(result: unknown, status = 200): ApiResponse {
  return { status, body: { success: true, errors: [], messages: [], result } };
}

/** A list result, with the page-based result_info Cloudflare's list endpoints return. */
export function okList(items: unknown[], query: Record<string, string> = {}): ApiResponse {
  const perPage = Number(query["per_page"] ?? 0) || Math.max(items.length, 20);
  const page = Number(query["page"] ?? 1) || 1;
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const resultInfo: ResultInfo = {
    page,
    per_page: perPage,
    count: slice.length,
    total_count: items.length,
    total_pages: Math.max(1, Math.ceil(items.length / perPage)),
  };
  return {
    status: 200,
    body: { success: true, errors: [], messages: [], result: slice, result_info: resultInfo },
  };
}

export function fail(status: number, code: number, message: string): ApiResponse {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

/**
 * Error codes, with the HTTP status Cloudflare pairs them with. Where the pairing was observed
 * in public reports or wrangler's sources, the comment says so; the rest are best guesses.
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
  internal: () => fail(500, 10013, "An unknown error has occurred"),
} as const;
