// The Cloudflare v4 calls on every deploy's path (token verify, zone, DNS records, Custom Domains
// or routes, the attach), made with fetch instead of through the `cloudflare` SDK.
//
// Why these are kept by hand: importing the SDK costs 0.4-0.6 s of CPU on every deploy. Its client
// module imports all of its 1,141 resource modules, and `cloudflare/tree-shakable` imports that
// same client module, so under Node (no bundler to shake it) nothing smaller can be loaded. That
// was most of the deploy's overhead over a bare `wrangler deploy` (issue 11). These calls are plain
// JSON in Cloudflare's v4 envelope, which is small to do right. What stays with the SDK:
//   - the requests and result schemas are checked against the SDK's types at compile time
//     (cloudflare-api.ts);
//   - the ops commands (doctor, rollback, prune, ...) call through the SDK itself.
//
// The envelope, per Cloudflare's API reference ("API responses" / the SDK's core/pagination.ts):
//   { success: boolean, errors: [{ code, message }], messages: [...], result, result_info? }
// with result_info { page, per_page, count, total_count, total_pages } on paginated lists.

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RestRequest {
  method: "GET" | "PUT";
  /** After the base URL, e.g. `/zones/<id>/dns_records`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A paginated list (page/per_page): read every page, up to result_info.total_pages. */
  paginate?: boolean;
}

export type RestOutcome =
  | { ok: true; result: unknown }
  /** status undefined: no HTTP answer at all (network, timeout). */
  | { ok: false; status: number | undefined; errors: { code: number; message: string }[]; detail: string; cause?: unknown };

export interface RestTransport {
  baseUrl: string;
  token: string;
  fetch: FetchLike;
  timeoutMs: number;
}

export async function restCall(transport: RestTransport, request: RestRequest): Promise<RestOutcome> {
  if (!request.paginate) {
    const page = await fetchEnvelope(transport, request, undefined);
    return page.ok ? { ok: true, result: page.envelope.result } : page;
  }
  const items: unknown[] = [];
  for (let pageNumber = 1; pageNumber <= 1_000; pageNumber += 1) {
    const page = await fetchEnvelope(transport, request, pageNumber === 1 ? undefined : pageNumber);
    if (!page.ok) return page;
    const { result, result_info: info } = page.envelope;
    // Cloudflare answers `result: null` for an empty DNS list (and the SDK reads it as no items).
    if (result !== null && result !== undefined && !Array.isArray(result)) {
      return { ok: false, status: 200, errors: [], detail: "unexpected response (a list call answered with a non-list result)" };
    }
    const pageItems = result ?? [];
    items.push(...pageItems);
    // Stop at total_pages when Cloudflare reports it; without it, at the first empty page.
    const total = typeof info?.total_pages === "number" ? info.total_pages : undefined;
    if (total !== undefined ? pageNumber >= total : pageItems.length === 0) break;
  }
  return { ok: true, result: items };
}

interface Envelope {
  success?: boolean;
  errors?: unknown;
  result?: unknown;
  result_info?: { total_pages?: unknown } | null;
}

type PageOutcome = { ok: true; envelope: Envelope } | Extract<RestOutcome, { ok: false }>;

async function fetchEnvelope(transport: RestTransport, request: RestRequest, page: number | undefined): Promise<PageOutcome> {
  const url = new URL(`${transport.baseUrl}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
  if (page !== undefined) url.searchParams.set("page", String(page));
  const headers: Record<string, string> = { authorization: `Bearer ${transport.token}`, accept: "application/json" };
  if (request.body !== undefined) headers["content-type"] = "application/json";

  let response: Response;
  let text: string;
  try {
    response = await transport.fetch(url.toString(), {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(transport.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    return { ok: false, status: undefined, errors: [], detail: `network error reaching ${transport.baseUrl} (${describeNetworkError(error)})`, cause: error };
  }

  let envelope: Envelope | undefined;
  try {
    const parsed: unknown = text === "" ? undefined : JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) envelope = parsed as Envelope;
  } catch {
    envelope = undefined;
  }
  const errors = errorItems(envelope?.errors);
  if (!response.ok || envelope?.success === false) {
    const detail = errors.length > 0 ? errors.map((e) => `${e.message} [code: ${e.code}]`).join("; ") : "no error details";
    return { ok: false, status: response.status, errors, detail: `HTTP ${response.status}: ${detail}` };
  }
  if (envelope === undefined) {
    // A 2xx that is not Cloudflare's envelope (a proxy's HTML page, an empty body): not Cloudflare's answer.
    const kind = response.headers.get("content-type") ?? "no content type";
    return { ok: false, status: response.status, errors: [], detail: `unexpected response (HTTP ${response.status}, ${kind}, not a Cloudflare API envelope)` };
  }
  return { ok: true, envelope };
}

function errorItems(value: unknown): { code: number; message: string }[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((item): item is { code: number; message?: unknown } => typeof item?.code === "number")
    .map((item) => ({ code: item.code, message: String(item.message ?? "") }));
}

export function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
    const cause = (error as { cause?: unknown }).cause;
    const code = cause && typeof cause === "object" && "code" in cause ? String((cause as { code: unknown }).code) : undefined;
    return code ? `${error.message}: ${code}` : error.message;
  }
  return String(error);
}
