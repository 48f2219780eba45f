// Rate limits at the edge, before a request wakes a room: WebSocket upgrades and room summaries,
// each counted per client IP (CF-Connecting-IP) and per room, with Cloudflare's Workers Rate
// Limiting binding (counted per Cloudflare location, in memory; `wrangler dev` simulates it).
//
// The binding takes its limit and period only from the Worker's configuration (wrangler.jsonc
// `ratelimits`), fixed per namespace at deploy; `limit()` accepts nothing but a key. So these
// limits are not vars: EDGE_LIMITS below mirrors wrangler.jsonc (a test keeps the two equal) so
// refusals can name the limit. A binding that is absent (another config) is simply not checked.

/** One rate-limited namespace: the binding name in wrangler.jsonc and its configured limit. */
export interface EdgeLimit {
  binding: EdgeLimitBinding;
  /** Requests allowed per key in one period. */
  limit: number;
  /** Seconds; the binding allows only 10 or 60. */
  period: 10 | 60;
  /** What is counted, for the refusal's message. */
  what: string;
}

export type EdgeLimitBinding = "UPGRADES_PER_IP" | "UPGRADES_PER_ROOM" | "SUMMARIES_PER_IP" | "SUMMARIES_PER_ROOM";

/** The binding's one method (workers-types' `RateLimit`, restated so Node-side tests can fake it). */
export interface RateLimitBinding {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

/** The Worker's view of the bindings: each one is optional. */
export type EdgeLimitEnv = Partial<Record<EdgeLimitBinding, RateLimitBinding>>;

/**
 * The limits, per Cloudflare location. Upgrades per room allow a full room (64 sockets by
 * default) to reconnect twice within a minute, as after a deploy; raise it with
 * MAX_CONNECTIONS_PER_ROOM. Upgrades per IP allow a household or a small office behind one
 * address, and a reconnecting client's backoff many times over.
 */
export const EDGE_LIMITS = {
  upgrade: [
    { binding: "UPGRADES_PER_IP", limit: 60, period: 60, what: "connection attempts from your address" },
    { binding: "UPGRADES_PER_ROOM", limit: 128, period: 60, what: "connection attempts to this room" },
  ],
  summary: [
    { binding: "SUMMARIES_PER_IP", limit: 120, period: 60, what: "room summary requests from your address" },
    { binding: "SUMMARIES_PER_ROOM", limit: 600, period: 60, what: "summary requests for this room" },
  ],
} as const satisfies Record<string, readonly EdgeLimit[]>;

export type EdgeRequestKind = keyof typeof EDGE_LIMITS;

export interface EdgeRequest {
  kind: EdgeRequestKind;
  /** The hostname the request came to: keeps stacks that share an account (and so the
   * namespaces) from counting each other's clients. */
  host: string;
  /** CF-Connecting-IP; Cloudflare always sets it in production (clients cannot). */
  clientIp: string | null;
  roomId: string;
}

/**
 * Checks the request against its limits, per IP first (so one noisy address does not use up a
 * room's budget), and returns the 429 to send, or null when the request may go on.
 */
export async function checkEdgeLimits(env: EdgeLimitEnv, request: EdgeRequest): Promise<Response | null> {
  for (const limit of EDGE_LIMITS[request.kind]) {
    const binding = env[limit.binding];
    if (binding === undefined) continue;
    const perIp = limit.binding.endsWith("_PER_IP");
    const key = `${request.host}|${perIp ? `ip:${request.clientIp ?? "unknown"}` : `room:${request.roomId}`}`;
    const { success } = await binding.limit({ key });
    if (!success) return tooManyRequests(limit);
  }
  return null;
}

function tooManyRequests(limit: EdgeLimit): Response {
  return Response.json(
    {
      error: "rate_limited",
      message: `Too many ${limit.what}: at most ${limit.limit} per ${limit.period} seconds. Retry after ${limit.period} seconds.`,
      limit: limit.limit,
      periodSeconds: limit.period,
    },
    // The binding does not say when its window ends; one whole period is always enough.
    { status: 429, headers: { "Retry-After": String(limit.period) } },
  );
}
