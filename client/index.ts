// perudo-vibe's client library: one object per (player, room), for browser bundles and Node.
// Built on partysocket (reconnects by itself) and typed by the protocol's own definitions in
// party/ (no copy); every server frame is validated. docs/client.md shows how to use it.
//
// What it adds to a bare socket:
// - the seat: `join` stores the seat token (pluggable SeatStore), and every (re)connection sends
//   `rejoin` first, before any move queued meanwhile (partysocket's own queue is disabled: it
//   would send queued moves ahead of the rejoin, and the room would refuse them);
// - outcomes: each move resolves once the server has handled it (a `ping` barrier after it:
//   the room answers a connection in order), with the refusal if there was one;
// - no stale moves: a bid/dudo/calza is only sent while the game is where it was when the move
//   was made (same round, turn and bid); one queued across a drop after which the game moved on
//   (e.g. its dudo did land before the drop) resolves STALE instead of landing somewhere else;
// - the rules for giving up: 4001 (seat taken over elsewhere) stops for good; UNKNOWN_SEAT
//   forgets the token; NOT_SEATED never does (it is about the connection, not the token);
// - "refused" (origin not allowed) told apart from "unreachable" by a /health probe.
import PartySocket from "partysocket";
import type { Face } from "../party/engine/types.ts";
import type { ClientMessage, StateView } from "../party/protocol.ts";
import { CloseCode, ErrorCode, PROTOCOL_VERSION, parseServerFrame, type ReceivedMessage } from "../party/server-messages.ts";
import { probeServer, type FetchFunction, type ProbeVerdict } from "./probe.ts";
import { defaultSeatStore, type Seat, type SeatStore } from "./seat-store.ts";

export type { StateView } from "../party/protocol.ts";
export { ErrorCode } from "../party/server-messages.ts";
export { memorySeatStore, webSeatStore, type Seat, type SeatStore } from "./seat-store.ts";

export type ClientStatus =
  /** Opening a socket (the first time, or again after a drop). */
  | "connecting"
  /** Connected; the stored seat is being reclaimed. Moves wait. */
  | "rejoining"
  /** Connected and usable: seated when `playerId` is set, a spectator otherwise. */
  | "ready"
  /** Another connection reclaimed this seat (close code 4001). Stopped; nothing retries. */
  | "taken-over"
  /** The server answers but refuses this origin (ALLOWED_ORIGINS). Still retrying. */
  | "refused"
  /** No answer after repeated attempts. Still retrying. */
  | "unreachable"
  /** The server speaks another major protocol version. Stopped. */
  | "incompatible"
  /** `close()` was called. */
  | "closed";

/** The result of a move: accepted, refused (the room's code), or not known (the socket dropped first). */
export type MoveResult =
  | { ok: true }
  | { ok: false; code: ErrorCode; message: string }
  | { ok: false; code: "DISCONNECTED"; message: string }
  /** Not sent: the game moved on (round, turn or bid) between the move and the moment it could be sent. */
  | { ok: false; code: "STALE"; message: string }
  | { ok: false; code: "CLOSED"; message: string };

export interface ClientEvents {
  /** Every state the room sends this connection. */
  state: StateView;
  status: ClientStatus;
  /** A seat was taken (`join`) or reclaimed (`rejoin`). */
  seated: { playerId: string };
  /** The stored seat is gone (UNKNOWN_SEAT on rejoin, or `leave`): offer `join`. */
  unseated: { reason: string };
  /** An error the room sent that is not the answer to one of this client's moves (e.g. ROOM_RESET). */
  notice: { code: ErrorCode; message: string };
  /** A frame that is not a valid server message (ignored). */
  invalid: { reason: string };
}

export interface ConnectOptions {
  /** Server host without scheme: "perudo.example.com" or "127.0.0.1:8787". */
  host: string;
  room: string;
  /** Default: sessionStorage in browsers, memory elsewhere. */
  store?: SeatStore;
  /** A WebSocket constructor (Node 20 has none built in; see client/node.ts for one that sends an Origin). */
  WebSocket?: unknown;
  /** The Origin the sockets send (Node only; browsers send their page's). Used by the probe. */
  origin?: string;
  fetch?: FetchFunction;
  /** Reconnect timing (ms). The first retry comes after `minDelay` plus up to `jitter`. */
  reconnect?: { minDelay?: number; maxDelay?: number; jitter?: number };
  /** Failed connection attempts in a row before asking /health why. Default 3. */
  probeAfter?: number;
}

/** Frames per window a client sends at most: below the room's 10 per second. */
const PACE_LIMIT = 8;
const PACE_WINDOW_MS = 1_100;

interface Operation {
  message: ClientMessage;
  /** For game moves: the position (see `position`) the player saw when making the move. */
  basis?: string;
  /** The first `error` that arrived between this operation and its pong. */
  error?: { code: ErrorCode; message: string };
  joined?: { playerId: string; seatToken: string };
  settle(result: MoveResult): void;
}

type Listener<K extends keyof ClientEvents> = (value: ClientEvents[K]) => void;

export class PerudoClient {
  readonly host: string;
  readonly room: string;
  #status: ClientStatus = "connecting";
  #state: StateView | null = null;
  /** Local time when #state arrived, to turn `turnDeadline - serverTime` into a countdown. */
  #stateReceivedAt = 0;
  #playerId: string | null = null;

  readonly #socket: PartySocket;
  readonly #store: SeatStore;
  readonly #storeKey: string;
  readonly #origin: string | undefined;
  readonly #fetch: FetchFunction;
  readonly #probeAfter: number;
  readonly #listeners = new Map<keyof ClientEvents, Set<(value: never) => void>>();

  /** Waiting to be sent (only while `ready`). */
  readonly #outbox: Operation[] = [];
  /** Sent, awaiting their pong, in order. */
  readonly #inflight: Operation[] = [];
  readonly #sentAt: number[] = [];
  #pumpTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #welcomed = false;
  #probing = false;

  constructor(options: ConnectOptions) {
    this.host = options.host;
    this.room = options.room;
    this.#store = options.store ?? defaultSeatStore();
    this.#storeKey = `${options.host}/${options.room}`;
    this.#origin = options.origin;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#probeAfter = options.probeAfter ?? 3;
    this.#playerId = this.#store.load(this.#storeKey)?.playerId ?? null;
    const jitter = options.reconnect?.jitter ?? 750;
    this.#socket = new PartySocket({
      host: options.host,
      party: "main",
      room: options.room,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      // Spread the reconnections of a whole room (and of every room after a deploy).
      minReconnectionDelay: (options.reconnect?.minDelay ?? 250) + Math.random() * jitter,
      maxReconnectionDelay: options.reconnect?.maxDelay ?? 8_000,
      reconnectionDelayGrowFactor: 1.5,
      // Nothing may be sent by partysocket on its own when a socket opens (see the header).
      maxEnqueuedMessages: 0,
    });
    this.#socket.addEventListener("message", (event) => this.#onFrame((event as unknown as { data: unknown }).data));
    this.#socket.addEventListener("close", (event) => this.#onClose((event as unknown as { code: number }).code));
  }

  // ------------------------------------------------------------------------------- reading

  get status(): ClientStatus {
    return this.#status;
  }
  /** The latest state from the room (null until the first). */
  get state(): StateView | null {
    return this.#state;
  }
  /** This client's seat, if it has one. */
  get playerId(): string | null {
    return this.#playerId;
  }
  /** Milliseconds left on the current turn by the server's clock (null when no turn runs). */
  turnTimeLeft(now: number = Date.now()): number | null {
    const state = this.#state;
    if (!state || state.turnDeadline === null) return null;
    return Math.max(0, state.turnDeadline - state.serverTime - (now - this.#stateReceivedAt));
  }

  on<K extends keyof ClientEvents>(type: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  // ------------------------------------------------------------------------------- moves

  /** Takes a seat. Resolves once the room has answered (or the socket dropped first). */
  join(name: string): Promise<MoveResult> {
    return this.#enqueue({ type: "join", name });
  }
  start(): Promise<MoveResult> {
    return this.#enqueue({ type: "start" });
  }
  bid(quantity: number, face: Face): Promise<MoveResult> {
    return this.#enqueue({ type: "bid", quantity, face });
  }
  dudo(): Promise<MoveResult> {
    return this.#enqueue({ type: "dudo" });
  }
  calza(): Promise<MoveResult> {
    return this.#enqueue({ type: "calza" });
  }
  /** Gives the seat up for good (the token stops working). */
  leave(): Promise<MoveResult> {
    return this.#enqueue({ type: "leave" });
  }

  /** Closes the socket for good. The stored seat is kept (a later client may rejoin with it). */
  close(): void {
    if (this.#status === "closed") return;
    this.#stop("closed", "The client was closed");
  }

  // ------------------------------------------------------------------------------- internals

  #enqueue(message: ClientMessage): Promise<MoveResult> {
    if (this.#stopped) {
      return Promise.resolve({ ok: false, code: "CLOSED", message: `The client has stopped (${this.#status})` });
    }
    const isGameMove = message.type === "bid" || message.type === "dudo" || message.type === "calza";
    return new Promise((resolve) => {
      this.#outbox.push({ message, settle: resolve, ...(isGameMove ? { basis: position(this.#state) } : {}) });
      this.#pump();
    });
  }

  get #stopped(): boolean {
    return this.#status === "closed" || this.#status === "taken-over" || this.#status === "incompatible";
  }

  /** Sends queued operations (each followed by a ping) while ready, paced below the room's limit. */
  #pump(): void {
    if (this.#pumpTimer !== undefined) return;
    while (this.#status === "ready" && this.#outbox.length > 0) {
      const wait = this.#paceWait(2);
      if (wait > 0) {
        this.#pumpTimer = setTimeout(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, wait);
        return;
      }
      this.#transmit(this.#outbox.shift()!);
    }
  }

  /** How long until `frames` more frames fit in the pacing window (0: now). */
  #paceWait(frames: number): number {
    const now = Date.now();
    while (this.#sentAt.length > 0 && now - this.#sentAt[0]! >= PACE_WINDOW_MS) this.#sentAt.shift();
    if (this.#sentAt.length + frames <= PACE_LIMIT) return 0;
    return PACE_WINDOW_MS - (now - this.#sentAt[this.#sentAt.length + frames - PACE_LIMIT - 1]!) + 1;
  }

  #transmit(operation: Operation): void {
    if (operation.basis !== undefined && operation.basis !== position(this.#state)) {
      operation.settle({ ok: false, code: "STALE", message: "The game moved on before this move could be sent; it was not sent" });
      return;
    }
    if (this.#socket.readyState !== PartySocket.OPEN) {
      operation.settle({ ok: false, code: "DISCONNECTED", message: "Not connected; try again when the connection is back" });
      return;
    }
    const now = Date.now();
    this.#sentAt.push(now, now);
    this.#inflight.push(operation);
    this.#socket.send(JSON.stringify(operation.message));
    this.#socket.send(JSON.stringify({ type: "ping" } satisfies ClientMessage));
  }

  #onFrame(data: unknown): void {
    const parsed = parseServerFrame(data);
    if (!parsed.ok) return this.#emit("invalid", { reason: parsed.reason });
    this.#onMessage(parsed.message);
  }

  #onMessage(message: ReceivedMessage): void {
    switch (message.type) {
      case "welcome":
        return this.#onWelcome(message.protocol);
      case "state":
        this.#state = message.state;
        this.#stateReceivedAt = Date.now();
        return this.#emit("state", message.state);
      case "joined": {
        const head = this.#inflight[0];
        if (head) head.joined = { playerId: message.playerId, seatToken: message.seatToken };
        return;
      }
      case "error": {
        const head = this.#inflight[0];
        // ROOM_RESET is sent on connect, not in answer to anything.
        if (head && head.error === undefined && message.code !== ErrorCode.ROOM_RESET) {
          head.error = { code: message.code, message: message.message };
        } else {
          this.#emit("notice", { code: message.code, message: message.message });
        }
        return;
      }
      case "pong": {
        const operation = this.#inflight.shift();
        if (operation) this.#settle(operation);
        return;
      }
    }
  }

  #onWelcome(protocol: number): void {
    if (protocol !== PROTOCOL_VERSION) {
      this.#stop("incompatible", `The server speaks protocol ${protocol}; this client speaks ${PROTOCOL_VERSION}`);
      return;
    }
    this.#welcomed = true;
    this.#failures = 0;
    this.#rejoinOrReady();
  }

  /** First thing on every connection: reclaim the stored seat, then let queued moves go. */
  #rejoinOrReady(): void {
    const seat = this.#store.load(this.#storeKey);
    if (!seat) {
      this.#setStatus("ready");
      this.#pump();
      return;
    }
    this.#setStatus("rejoining");
    this.#transmit({ message: { type: "rejoin", seatToken: seat.seatToken }, settle: () => {} });
  }

  #settle(operation: Operation): void {
    const { message, error } = operation;
    if (message.type === "rejoin") return this.#afterRejoin(error);
    if (message.type === "join" && operation.joined) this.#seated(operation.joined);
    if (message.type === "leave" && !error) this.#unseated("You left the table");
    if (error?.code === ErrorCode.NOT_SEATED && this.#store.load(this.#storeKey) && this.#status === "ready") {
      // The token is not in question: this connection lost (or never got) its binding. Rejoin.
      this.#rejoinOrReady();
    }
    operation.settle(error ? { ok: false, code: error.code, message: error.message } : { ok: true });
  }

  #afterRejoin(error: Operation["error"]): void {
    if (error?.code === ErrorCode.UNKNOWN_SEAT) {
      this.#unseated(error.message);
    } else if (error) {
      // Busy or failing server (RATE_LIMITED, INTERNAL): the token is fine, so try again shortly.
      setTimeout(() => {
        if (this.#status === "rejoining" && this.#socket.readyState === PartySocket.OPEN) this.#rejoinOrReady();
      }, 1_000);
      return;
    } else {
      const seat = this.#store.load(this.#storeKey);
      if (seat) {
        this.#playerId = seat.playerId;
        this.#emit("seated", { playerId: seat.playerId });
      }
    }
    this.#setStatus("ready");
    this.#pump();
  }

  #seated(seat: Seat): void {
    this.#store.save(this.#storeKey, seat);
    this.#playerId = seat.playerId;
    this.#emit("seated", { playerId: seat.playerId });
  }

  #unseated(reason: string): void {
    this.#store.forget(this.#storeKey);
    this.#playerId = null;
    this.#emit("unseated", { reason });
  }

  #onClose(code: number): void {
    for (const operation of this.#inflight.splice(0)) {
      operation.settle({ ok: false, code: "DISCONNECTED", message: "The connection dropped before the server confirmed this move" });
    }
    if (this.#stopped) return;
    if (code === CloseCode.SEAT_TAKEN_OVER) {
      this.#stop("taken-over", "This seat is now played from another tab or device");
      return;
    }
    if (!this.#welcomed) this.#failures++;
    this.#welcomed = false;
    if (this.#failures >= this.#probeAfter) void this.#probe();
    else if (this.#status !== "refused" && this.#status !== "unreachable") this.#setStatus("connecting");
  }

  async #probe(): Promise<void> {
    if (this.#probing) return;
    this.#probing = true;
    let verdict: ProbeVerdict;
    try {
      verdict = await probeServer({
        baseUrl: `${this.#httpScheme()}://${this.host}`,
        origin: this.#origin,
        browser: typeof (globalThis as { document?: unknown }).document !== "undefined",
        fetch: this.#fetch,
      });
    } finally {
      this.#probing = false;
    }
    if (this.#stopped || this.#welcomed) return;
    this.#setStatus(verdict === "reachable" ? "connecting" : verdict);
  }

  /** The scheme partysocket picked for the socket, for plain HTTP requests to the same server. */
  #httpScheme(): "http" | "https" {
    return this.#socket.roomUrl.startsWith("wss:") ? "https" : "http";
  }

  #stop(status: ClientStatus, reason: string): void {
    this.#setStatus(status);
    clearTimeout(this.#pumpTimer);
    this.#pumpTimer = undefined;
    for (const operation of this.#outbox.splice(0)) operation.settle({ ok: false, code: "CLOSED", message: reason });
    for (const operation of this.#inflight.splice(0)) operation.settle({ ok: false, code: "CLOSED", message: reason });
    this.#socket.close();
  }

  #setStatus(status: ClientStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#emit("status", status);
  }

  #emit<K extends keyof ClientEvents>(type: K, value: ClientEvents[K]): void {
    for (const listener of this.#listeners.get(type) ?? []) (listener as Listener<K>)(value);
  }
}

/** Where a game stands, for telling whether a move still applies: round, turn and bid. */
function position(state: StateView | null): string {
  return state === null ? "" : JSON.stringify([state.phase, state.round, state.turn, state.currentBid]);
}

/** Opens a client for `room` on `host` (see ConnectOptions). */
export function connect(options: ConnectOptions): PerudoClient {
  return new PerudoClient(options);
}
