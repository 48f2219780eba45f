// The Worker's HTTP surface before a request reaches a room: which paths are rooms, which
// origins may open sockets, and JSON error bodies (never stack traces).
import { ROOM_ID_PATTERN } from "../protocol.ts";

export type RoomPath = { kind: "room"; roomId: string } | { kind: "bad-room-id" } | { kind: "other" };

/** PartyServer's layout and the older PartyKit one, both for the `main` party. */
const ROOM_PREFIXES = ["/parties/main/", "/party/"];

export function matchRoomPath(pathname: string): RoomPath {
  for (const prefix of ROOM_PREFIXES) {
    if (!pathname.startsWith(prefix)) continue;
    // Taken as-is (not percent-decoded), so "%2F" or a second "/" is simply an invalid id.
    const roomId = pathname.slice(prefix.length);
    return ROOM_ID_PATTERN.test(roomId) ? { kind: "room", roomId } : { kind: "bad-room-id" };
  }
  return { kind: "other" };
}

/** ALLOWED_ORIGINS: comma-separated origins; empty or unset allows any origin. */
export function parseAllowedOrigins(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter((origin) => origin !== "");
}

/**
 * The allow-list plus the Worker's own origin (where the play page is served). An empty list
 * stays empty: it already allows every origin.
 */
export function withOwnOrigin(allowed: readonly string[], ownOrigin: string): string[] {
  return allowed.length === 0 || allowed.includes(ownOrigin) ? [...allowed] : [...allowed, ownOrigin];
}

export function originAllowed(origin: string | null, allowed: readonly string[]): boolean {
  return allowed.length === 0 || (origin !== null && allowed.includes(origin));
}

export function jsonError(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status });
}

// partysocket sends its connection id as `_pk`; PartyServer uses it as a socket tag, which must
// be short. A malformed one is dropped so PartyServer generates its own id instead of failing.
const CONNECTION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function withSafeConnectionId(url: URL): URL {
  const connectionId = url.searchParams.get("_pk");
  if (connectionId === null || CONNECTION_ID_PATTERN.test(connectionId)) return url;
  const copy = new URL(url);
  copy.searchParams.delete("_pk");
  return copy;
}

/**
 * Lets browser pages on an allowed origin read the JSON endpoints (simple GETs, no preflight).
 * Same rule as for sockets: an empty allow-list means any origin.
 */
export function withCors(response: Response, request: Request, allowed: readonly string[]): Response {
  const origin = request.headers.get("Origin");
  if (origin === null || !originAllowed(origin, allowed)) return response;
  const copy = new Response(response.body, response);
  copy.headers.set("Access-Control-Allow-Origin", allowed.length === 0 ? "*" : origin);
  if (allowed.length > 0) copy.headers.append("Vary", "Origin");
  return copy;
}
