// The Worker and its Durable Object. The Worker checks the path, room id and Origin before any
// socket opens; `Main` is a thin PartyServer adapter that hands sockets, storage and the alarm
// to the transport-agnostic PerudoRoom (party/room/room.ts). Protocol: docs/protocol.md.
import { Server, type Connection, type WSMessage } from "partyserver";
import type { PlayerId } from "./engine/types.ts";
import { CloseCode, ErrorCode } from "./protocol.ts";
import { admitConnection, parseMaxConnectionsPerRoom } from "./room/capacity.ts";
import { DOCUMENT_KEY, type RoomDocument } from "./room/document.ts";
import { checkEdgeLimits, type EdgeLimitEnv } from "./room/edge-limits.ts";
import {
  jsonError,
  matchRoomPath,
  originAllowed,
  parseAllowedOrigins,
  withCors,
  withOwnOrigin,
  withSafeConnectionId,
} from "./room/http.ts";
import {
  DEFAULT_ROOM_OPTIONS,
  PerudoRoom,
  encode,
  parseRolloutGraceSeconds,
  parseTurnSeconds,
  type RoomConnection,
  type RoomHost,
} from "./room/room.ts";
import { cryptoDice } from "./room/secrets.ts";

export interface Env extends EdgeLimitEnv {
  Main: DurableObjectNamespace<Main>;
  BUILD_ID: string;
  ALLOWED_ORIGINS: string;
  TURN_SECONDS: string;
  ROLLOUT_GRACE_SECONDS: string;
  MAX_CONNECTIONS_PER_ROOM?: string;
}

/** What a socket carries through hibernation: the seat it is bound to, and when it opened. */
interface SocketState {
  seat: PlayerId | null;
  /** Epoch ms the socket was accepted (room capacity: the oldest spectator makes room first). */
  since?: number;
}

export class Main extends Server<Env> {
  static override options = { hibernate: true };

  #room: PerudoRoom | undefined;

  /** Runs on every cold start and hibernation wake-up: memory is only a cache of storage. */
  override async onStart(): Promise<void> {
    try {
      this.#room = await PerudoRoom.load(() => this.name, this.#host(), {
        ...DEFAULT_ROOM_OPTIONS,
        turnMs: parseTurnSeconds(this.env.TURN_SECONDS) * 1000,
        rolloutGraceMs: parseRolloutGraceSeconds(this.env.ROLLOUT_GRACE_SECONDS) * 1000,
      });
    } catch (error) {
      console.error(`room ${this.#label}: could not load:`, describe(error));
      // PartyServer answers a failed start with the error's stack; give it one without a trace.
      throw withoutStack("The room could not be loaded; try again");
    }
  }

  /**
   * Bounds the room before a socket opens (party/room/capacity.ts): over the limit an upgrade is
   * refused with a JSON 503, unless a socket without a seat can make room (closed with ROOM_FULL).
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") return super.fetch(request);
    const maxConnections = parseMaxConnectionsPerRoom(this.env.MAX_CONNECTIONS_PER_ROOM);
    const open = Array.from(this.getConnections<SocketState>(), (connection) => ({
      connection,
      id: connection.id,
      seated: (connection.state?.seat ?? null) !== null,
      since: connection.state?.since ?? 0,
    }));
    const admission = admitConnection(open, maxConnections);
    if (!admission.admit) {
      const refusal = jsonError(
        503,
        "room_full",
        `This room is full: at most ${maxConnections} connections (players and spectators). Try again later.`,
      );
      refusal.headers.set("Retry-After", "10");
      return refusal;
    }
    if (admission.displace !== null) {
      const displaced = open.find((socket) => socket.id === admission.displace)?.connection;
      if (displaced) adapt(displaced).close(CloseCode.ROOM_FULL, "room full: a player needs this place");
    }
    return super.fetch(request);
  }

  override onConnect(connection: Connection<SocketState>): void {
    connection.setState({ seat: null, since: Date.now() });
    try {
      this.#requireRoom().connect(adapt(connection));
    } catch (error) {
      console.error(`room ${this.#label}: connect failed:`, describe(error));
      connection.close(CloseCode.INTERNAL, "internal error");
    }
  }

  override async onMessage(connection: Connection<SocketState>, message: WSMessage): Promise<void> {
    try {
      await this.#requireRoom().message(adapt(connection), message);
    } catch (error) {
      console.error(`room ${this.#label}: message failed:`, describe(error));
      safeSend(connection, encode({ type: "error", code: ErrorCode.INTERNAL, message: "The server could not process that message" }));
    }
  }

  override onClose(connection: Connection<SocketState>, code: number): void {
    this.#room?.disconnect(adapt(connection));
    // A browser's close() without a code sends a Close frame with no status (seen as 1005).
    // PartyServer doesn't answer those, which leaves the client waiting for its close timeout;
    // the peer is still there, so complete the handshake with a normal closure.
    if (code === 1005) adapt(connection).close(1000, "");
  }

  override onError(connection: Connection<SocketState>, error: unknown): void {
    console.warn(`room ${this.#label}: socket ${connection.id} error:`, describe(error));
  }

  override async onAlarm(): Promise<void> {
    await this.#requireRoom().alarm();
  }

  override onRequest(request: Request): Response {
    try {
      if (request.method !== "GET" && request.method !== "HEAD") {
        return jsonError(404, "not_found", "Rooms answer GET (summary) and WebSocket upgrades only");
      }
      return Response.json(this.#requireRoom().summary());
    } catch (error) {
      console.error(`room ${this.#label}: request failed:`, describe(error));
      return jsonError(500, "internal", "The room could not answer; try again");
    }
  }

  /** For logs: never throws, unlike `this.name` when the runtime gives no name. */
  get #label(): string {
    return this.#room?.roomId ?? this.ctx.id.name ?? "(unnamed)";
  }

  #requireRoom(): PerudoRoom {
    if (!this.#room) throw new Error("room used before onStart finished");
    return this.#room;
  }

  #host(): RoomHost {
    const storage = this.ctx.storage;
    return {
      storage: {
        load: () => storage.get(DOCUMENT_KEY),
        // SQLite-backed: the synchronous KV API writes the same table as get/put (__cf_kv) with
        // nothing to await; the output gate holds every later send until the write is durable.
        save: (document: RoomDocument) => storage.kv.put(DOCUMENT_KEY, document),
        keep: (key: string, record: unknown) => storage.kv.put(key, record),
        deleteAll: async () => {
          await storage.deleteAlarm();
          await storage.deleteAll();
        },
        getAlarm: () => storage.getAlarm(),
        // Not awaited (output-gated like the put). A failed write breaks the output gate and
        // restarts the object; the rejection itself is only logged here.
        setAlarm: (at: number) => {
          storage.setAlarm(at).catch((error: unknown) => console.error(`room ${this.#label}: setAlarm failed:`, describe(error)));
        },
      },
      connections: () => Array.from(this.getConnections<SocketState>(), adapt),
      now: () => Date.now(),
      dice: cryptoDice,
    };
  }
}

function adapt(connection: Connection<SocketState>): RoomConnection {
  return {
    id: connection.id,
    get seat() {
      return connection.state?.seat ?? null;
    },
    bind: (seat) => void connection.setState({ ...connection.state, seat }),
    send: (frame) => safeSend(connection, frame),
    close: (code, reason) => {
      try {
        connection.close(code, reason);
      } catch {
        // already closed
      }
    },
  };
}

function safeSend(connection: Connection, frame: string): void {
  try {
    connection.send(frame);
  } catch {
    // The socket closed meanwhile; its close event will follow.
  }
}

/** Log text for an error: the message only (frames, and so seat tokens, are never logged). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

function withoutStack(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    // The play page is served from this Worker's own origin (static assets), so that origin is
    // always allowed, whatever the list says.
    const allowedOrigins = withOwnOrigin(parseAllowedOrigins(env.ALLOWED_ORIGINS), url.origin);
    if (url.pathname === "/health") {
      if (request.method !== "GET" && request.method !== "HEAD") return notFound();
      const health = Response.json({ ok: true, name: "perudo-vibe", version: env.BUILD_ID || "dev" });
      return withCors(health, request, allowedOrigins);
    }

    const route = matchRoomPath(url.pathname);
    if (route.kind === "other") return notFound();
    if (route.kind === "bad-room-id") {
      return jsonError(400, "bad_room_id", "Room ids are 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
    }

    const isWebSocket = request.headers.get("Upgrade")?.toLowerCase() === "websocket";
    if (isWebSocket) {
      if (!originAllowed(request.headers.get("Origin"), allowedOrigins)) {
        return jsonError(403, "origin_not_allowed", "This origin may not connect to perudo-vibe");
      }
    } else if (request.method !== "GET" && request.method !== "HEAD") {
      return notFound();
    }
    const limited = await checkEdgeLimits(env, {
      kind: isWebSocket ? "upgrade" : "summary",
      host: url.hostname,
      clientIp: request.headers.get("CF-Connecting-IP"),
      roomId: route.roomId,
    });
    if (limited) return isWebSocket ? limited : withCors(limited, request, allowedOrigins);

    const forwarded = new Request(withSafeConnectionId(url), request);
    // PartyServer reads the name from the Durable Object id; the headers are a fallback it knows.
    forwarded.headers.set("x-partykit-room", route.roomId);
    forwarded.headers.set("x-partykit-namespace", "main");
    let response: Response;
    try {
      response = await env.Main.get(env.Main.idFromName(route.roomId)).fetch(forwarded);
    } catch (error) {
      console.error(`room ${route.roomId}: unreachable:`, describe(error));
      return jsonError(503, "unavailable", "The room is unavailable right now; try again");
    }
    if (isWebSocket) return response;
    // PartyServer answers its own failures (e.g. a room that could not load) in plain text.
    if (response.status >= 500 && !response.headers.get("content-type")?.includes("json")) {
      return jsonError(500, "internal", "The room could not answer; try again");
    }
    return withCors(response, request, allowedOrigins);
  },
} satisfies ExportedHandler<Env>;

function notFound(): Response {
  return jsonError(404, "not_found", "Nothing here: see docs/protocol.md for the endpoints");
}
