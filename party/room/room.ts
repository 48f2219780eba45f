// A Perudo room, independent of the transport: it turns client frames into engine actions, keeps
// the one stored document in step with the game, and sends every connection its own view.
// party/index.ts adapts it to a PartyServer Durable Object (sockets, storage, alarm).
//
// Invariants:
// - Memory is a cache. Everything needed to resume lives in the stored document; a connection's
//   seat lives in its own (hibernation-safe) socket attachment.
// - An accepted change is one synchronous storage put of the whole document, issued before
//   anything is sent (the runtime's output gate holds every send until that write is durable);
//   a refused action, a rejoin, a (re)connection or a disconnection writes nothing (one exception:
//   the first rejoin into a game whose clock was paused because nobody was connected).
// - `connected` is derived from the open sockets, never stored.
import { apply, createGame, viewFor } from "../engine/index.ts";
import type { Action, DiceSource, GameState, PlayerId } from "../engine/types.ts";
import {
  ErrorCode,
  MAX_MESSAGES_PER_SECOND,
  PROTOCOL_MINOR,
  PROTOCOL_VERSION,
  CloseCode,
  parseClientFrame,
  type ClientMessage,
  type RoomSummary,
  type ServerMessage,
  type StateView,
} from "../protocol.ts";
import { UNREADABLE_KEY_PREFIX, newDocument, nextWakeUp, readDocument, type RoomDocument } from "./document.ts";
import { RateLimiter } from "./rate-limit.ts";
import { hashSeatToken, newPlayerId, newSeatToken } from "./secrets.ts";

/** One client connection as the room sees it. */
export interface RoomConnection {
  readonly id: string;
  /** The seat bound to this connection (survives hibernation with the socket), or null. */
  readonly seat: PlayerId | null;
  bind(seat: PlayerId | null): void;
  /** Sends one JSON text frame (see `encode`); must not throw if the socket just closed. */
  send(frame: string): void;
  close(code: number, reason: string): void;
}

/**
 * The room's storage: one document and one alarm.
 *
 * `save` and `setAlarm` are synchronous from the room's point of view: on a SQLite-backed
 * Durable Object they are `ctx.storage.kv.put` and `ctx.storage.setAlarm`, and the runtime's
 * output gate holds every message sent afterwards (WebSocket frames included) until those writes
 * are durable; if one fails, nothing sent afterwards is delivered and the object restarts from
 * what was stored. So "saved before the new state is sent" holds without awaiting anything.
 */
export interface RoomStorage {
  load(): Promise<unknown>;
  /** One write. `#commit` issues it and any `setAlarm` in the same turn, so they commit together. */
  save(document: RoomDocument): void;
  deleteAll(): Promise<void>;
  /** Stores `record` under `key` as it is (an unreadable document kept for inspection); gated like `save`. */
  keep(key: string, record: unknown): void;
  getAlarm(): Promise<number | null>;
  /** Schedules the alarm; gated like `save` (a failure must not reach the caller as a rejection). */
  setAlarm(at: number): void;
}

export interface RoomHost {
  storage: RoomStorage;
  /** The connections whose sockets are open. */
  connections(): Iterable<RoomConnection>;
  now(): number;
  dice: DiceSource;
}

export interface RoomOptions {
  /** How long a player has to act before the engine acts for them. */
  turnMs: number;
  /** How long a lobby or finished game may sit untouched before its storage is deleted. */
  idleMs: number;
  /** When cleanup is due but someone is still connected, look again after this long. */
  cleanupRetryMs: number;
  /**
   * Rollout grace: when the room starts with no socket attached (a deploy, an eviction or a crash
   * dropped them all) and a turn running, the player to act gets at least this long from then.
   */
  rolloutGraceMs: number;
}

export const DEFAULT_TURN_SECONDS = 60;
export const DEFAULT_ROLLOUT_GRACE_SECONDS = 15;
export const DEFAULT_ROOM_OPTIONS: RoomOptions = {
  turnMs: DEFAULT_TURN_SECONDS * 1000,
  idleMs: 24 * 60 * 60 * 1000,
  cleanupRetryMs: 60 * 60 * 1000,
  rolloutGraceMs: DEFAULT_ROLLOUT_GRACE_SECONDS * 1000,
};

/** TURN_SECONDS: any positive number (small values are for tests); anything else means 60. */
export function parseTurnSeconds(raw: string | undefined): number {
  const seconds = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isFinite(seconds) && seconds > 0
    ? seconds
    : DEFAULT_TURN_SECONDS;
}

/** ROLLOUT_GRACE_SECONDS: any number >= 0 (0 turns the grace off); anything else means 15. */
export function parseRolloutGraceSeconds(raw: string | undefined): number {
  const seconds = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isFinite(seconds) && seconds >= 0
    ? seconds
    : DEFAULT_ROLLOUT_GRACE_SECONDS;
}

/** The only way a server message becomes a frame. */
export function encode(message: ServerMessage): string {
  return JSON.stringify(message);
}

type SeatedMessage = Extract<ClientMessage, { type: "start" | "bid" | "dudo" | "calza" | "leave" }>;

export class PerudoRoom {
  readonly #host: RoomHost;
  readonly #options: RoomOptions;
  readonly #limiter = new RateLimiter(MAX_MESSAGES_PER_SECOND, 1000);
  #document: RoomDocument;
  /** Cache of the Durable Object's alarm time (one alarm slot per object). */
  #alarmAt: number | null;
  /** Serialises every change, so no await inside one can interleave with another. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(host: RoomHost, options: RoomOptions, document: RoomDocument, alarmAt: number | null) {
    this.#host = host;
    this.#options = options;
    this.#document = document;
    this.#alarmAt = alarmAt;
  }

  /**
   * Reloads the room from storage (on every cold start and hibernation wake-up). A room with no
   * document still holds PartyServer's name record, so its cleanup is scheduled here.
   */
  static async load(roomId: () => string, host: RoomHost, options: RoomOptions): Promise<PerudoRoom> {
    const raw = await host.storage.load();
    const stored = readDocument(raw);
    const now = host.now();
    // The id is only asked for when no usable record is stored: a stored room knows its own name.
    const document = stored.kind === "ok" ? stored.document : newDocument(roomId(), createGame(), now + options.idleMs);
    const room = new PerudoRoom(host, options, document, await host.storage.getAlarm());
    if (stored.kind === "unreadable") room.#replaceUnreadable(raw, stored.reason);
    else room.#grantRolloutGrace();
    room.#armAlarm();
    return room;
  }

  /**
   * Keeps a record this build cannot read under its own key (never deleted by the room), logs
   * it, and starts a fresh lobby that tells connecting clients what happened (ROOM_RESET).
   */
  #replaceUnreadable(raw: unknown, reason: string): void {
    const now = this.#host.now();
    const key = `${UNREADABLE_KEY_PREFIX}${now}`;
    this.#host.storage.keep(key, raw);
    console.error(`room ${this.roomId}: stored document unreadable (${reason}); kept as "${key}", starting a fresh lobby`);
    this.#commit({ ...this.#document, resetAt: now, unreadableKeys: [key] });
  }

  /**
   * After a deploy, an eviction or a crash every socket is gone; the clients need a moment to
   * reconnect and rejoin. So a room that starts with no socket attached and a turn running moves
   * a deadline that is closer than the grace out to now + grace (one write). A hibernation
   * wake-up keeps its sockets, so it never extends a turn. An abandoned game still pauses: the
   * alarm at the new deadline finds nobody connected.
   */
  #grantRolloutGrace(): void {
    const { game, turnDeadline } = this.#document;
    if (game.phase !== "playing" || game.turn === null || turnDeadline === null) return;
    if (this.#connectedSockets() > 0) return;
    const graceUntil = this.#host.now() + this.#options.rolloutGraceMs;
    if (turnDeadline >= graceUntil) return;
    this.#commit({ ...this.#document, turnDeadline: graceUntil });
  }

  get roomId(): string {
    return this.#document.room;
  }

  // ------------------------------------------------------------------------------- events

  connect(connection: RoomConnection): void {
    connection.send(encode({ type: "welcome", protocol: PROTOCOL_VERSION, minor: PROTOCOL_MINOR, room: this.roomId }));
    if (this.#document.resetAt !== null) {
      this.#sendError(
        connection,
        ErrorCode.ROOM_RESET,
        "This room's saved game could not be read, so it starts again as a new lobby: join again",
      );
    }
    connection.send(encode({ type: "state", state: this.#viewFor(connection.seat, this.#connectedSeats()) }));
  }

  disconnect(connection: RoomConnection): void {
    this.#limiter.forget(connection.id);
    if (this.#seatOf(connection) !== null) this.#broadcast(connection.id);
  }

  message(connection: RoomConnection, frame: string | ArrayBuffer | ArrayBufferView): Promise<void> {
    if (!this.#limiter.allow(connection.id, this.#host.now())) {
      this.#sendError(connection, ErrorCode.RATE_LIMITED, `Slow down: at most ${MAX_MESSAGES_PER_SECOND} messages per second`);
      return Promise.resolve();
    }
    // Everything else waits its turn, so a connection's replies come in the order it sent:
    // a `pong` also means "all your earlier messages have been handled".
    return this.#exclusive(async () => {
      const parsed = parseClientFrame(frame);
      if (!parsed.ok) return this.#sendError(connection, parsed.code, parsed.message);
      if (parsed.message.type === "ping") return connection.send(encode({ type: "pong" }));
      return this.#handle(connection, parsed.message);
    }, connection);
  }

  alarm(): Promise<void> {
    return this.#exclusive(() => {
      this.#alarmAt = null; // the slot is free once the alarm has fired
      return this.#onAlarm();
    });
  }

  summary(): RoomSummary {
    const connected = this.#connectedSeats();
    return {
      room: this.roomId,
      phase: this.#document.game.phase,
      players: this.#document.game.players.map((p) => ({
        name: p.name,
        diceCount: p.dice.length,
        connected: connected.has(p.id),
      })),
    };
  }

  // ------------------------------------------------------------------------------- messages

  async #handle(connection: RoomConnection, message: Exclude<ClientMessage, { type: "ping" }>): Promise<void> {
    switch (message.type) {
      case "join":
        return this.#join(connection, message.name);
      case "rejoin":
        return this.#rejoin(connection, message.seatToken);
      default:
        return this.#seatedAction(connection, message);
    }
  }

  async #join(connection: RoomConnection, name: string): Promise<void> {
    // A connection that already holds a live seat joins "as itself", so the engine says ALREADY_JOINED.
    const playerId = this.#seatOf(connection) ?? newPlayerId();
    const result = apply(this.#document.game, { type: "join", playerId, name }, this.#host.dice);
    if (!result.ok) return this.#sendError(connection, result.error.code, result.error.message);

    const seatToken = newSeatToken();
    const seats = { ...this.#document.seats, [playerId]: await hashSeatToken(seatToken) };
    this.#commit(this.#nextDocument(result.state, seats));
    connection.bind(playerId);
    connection.send(encode({ type: "joined", playerId, seatToken }));
    this.#broadcast();
  }

  async #rejoin(connection: RoomConnection, seatToken: string): Promise<void> {
    const hash = await hashSeatToken(seatToken);
    const playerId = Object.keys(this.#document.seats).find((id) => this.#document.seats[id] === hash);
    if (playerId === undefined || !this.#document.game.players.some((p) => p.id === playerId)) {
      return this.#sendError(connection, ErrorCode.UNKNOWN_SEAT, "That seat token doesn't match any seat in this room");
    }
    connection.bind(playerId);
    for (const other of this.#host.connections()) {
      if (other.id !== connection.id && other.seat === playerId) {
        other.bind(null);
        other.close(CloseCode.SEAT_TAKEN_OVER, "seat taken over by another connection");
      }
    }
    // A rejoin writes nothing, except the first one into a paused game: it restarts the clock.
    const { game, turnDeadline } = this.#document;
    if (game.phase === "playing" && game.turn !== null && turnDeadline === null) {
      this.#commit(this.#nextDocument(game, this.#document.seats));
    }
    this.#broadcast();
  }

  async #seatedAction(connection: RoomConnection, message: SeatedMessage): Promise<void> {
    const playerId = this.#seatOf(connection);
    if (playerId === null) {
      return this.#sendError(connection, ErrorCode.NOT_SEATED, "This connection has no seat at this table yet: join or rejoin first");
    }
    const action: Action =
      message.type === "bid"
        ? { type: "bid", playerId, quantity: message.quantity, face: message.face }
        : { type: message.type, playerId };
    const result = apply(this.#document.game, action, this.#host.dice);
    if (!result.ok) return this.#sendError(connection, result.error.code, result.error.message);

    this.#commit(this.#nextDocument(result.state, this.#document.seats));
    if (message.type === "leave") {
      for (const other of this.#host.connections()) if (other.seat === playerId) other.bind(null);
    }
    this.#broadcast();
  }

  // ------------------------------------------------------------------------------- alarm

  async #onAlarm(): Promise<void> {
    const now = this.#host.now();
    const { turnDeadline, cleanupAt } = this.#document;
    if (turnDeadline !== null && now >= turnDeadline) {
      if (this.#connectedSeats().size === 0) {
        // Nobody at the table is connected: timeouts alone would bid forever (they never call),
        // waking the room and writing every turn. Pause the clock instead; the first rejoin
        // restarts it, and a game nobody comes back to is cleaned up like an idle lobby.
        this.#commit(this.#nextDocument(this.#document.game, this.#document.seats, { pause: true }));
        this.#broadcast();
        return;
      }
      const result = apply(this.#document.game, { type: "timeout" }, this.#host.dice);
      // A refused timeout means no turn is running: the stored deadline was stale, so drop it.
      const game = result.ok ? result.state : this.#document.game;
      this.#commit(this.#nextDocument(game, this.#document.seats, { forceNewTurn: true }));
      this.#broadcast();
      return;
    }
    if (cleanupAt !== null && now >= cleanupAt) {
      if (this.#connectedSockets() === 0) return this.#deleteRoom();
      // Someone is still watching: keep the room and look again later (no document write).
      this.#alarmAt = now + this.#options.cleanupRetryMs;
      this.#host.storage.setAlarm(this.#alarmAt);
      return;
    }
    // Woken early: the deadline moved later after this alarm was set (see #armAlarm).
    this.#armAlarm();
  }

  /** An abandoned lobby or finished game: nothing of it may keep costing storage. */
  async #deleteRoom(): Promise<void> {
    if (this.#document.unreadableKeys.length > 0) {
      // Records kept for inspection outlive the game: only an operator removes them. The room
      // just empties itself (one write) and stops waking up.
      this.#commit({ ...newDocument(this.roomId, createGame(), null), unreadableKeys: this.#document.unreadableKeys });
      return;
    }
    await this.#host.storage.deleteAll();
    this.#alarmAt = null;
    this.#document = newDocument(this.roomId, createGame(), null);
  }

  // ------------------------------------------------------------------------------- state

  /** The document after an accepted change: timers follow the game, seats follow the players. */
  #nextDocument(
    game: GameState,
    seats: Record<PlayerId, string>,
    options: { forceNewTurn?: boolean; pause?: boolean } = {},
  ): RoomDocument {
    const previous = this.#document;
    const now = this.#host.now();
    const seated = new Set(game.players.map((p) => p.id));
    const keptSeats = Object.fromEntries(Object.entries(seats).filter(([id]) => seated.has(id)));

    let turnDeadline: number | null = null;
    if (game.phase === "playing" && game.turn !== null) {
      const sameTurn =
        !options.forceNewTurn &&
        previous.turnDeadline !== null &&
        previous.game.turn === game.turn &&
        previous.game.round === game.round;
      turnDeadline = sameTurn ? previous.turnDeadline : now + this.#options.turnMs;
    }
    if (options.pause) turnDeadline = null;
    const idle = game.phase !== "playing" || options.pause === true;
    const cleanupAt = idle ? now + this.#options.idleMs : null;
    // The ROOM_RESET notice lasts until the first accepted change (someone joined the new lobby).
    return { ...previous, game, seats: keptSeats, turnDeadline, cleanupAt, resetAt: null };
  }

  /**
   * Saves the document (one put) and, when it needs an earlier wake-up than the one scheduled,
   * the alarm. Both are issued synchronously in the same turn, so the runtime commits them
   * together, and its output gate holds whatever is sent next until they are durable. `save`
   * throwing leaves memory as it was (the change is reported as failed, nothing is sent).
   */
  #commit(next: RoomDocument): void {
    this.#host.storage.save(next);
    this.#document = next;
    this.#armAlarm(next);
  }

  /**
   * Makes sure the alarm fires no later than the document's next wake-up. It is only moved
   * earlier, never later: a later deadline (every new turn) costs no alarm write, the alarm just
   * wakes early once and re-arms. So a whole game usually sets the alarm about once per turn
   * length, not once per action.
   */
  #armAlarm(document: RoomDocument = this.#document): void {
    const wakeUp = nextWakeUp(document);
    if (wakeUp === null || (this.#alarmAt !== null && this.#alarmAt <= wakeUp)) return;
    this.#alarmAt = wakeUp;
    this.#host.storage.setAlarm(wakeUp);
  }

  // ------------------------------------------------------------------------------- sending

  /**
   * Sends every open connection (but `closingId`) its own view of the current state. Views differ
   * only in `you`, so the rest is serialised once and each seat's frame is spliced around its
   * `you`: the frame is byte for byte `encode({ type: "state", state: this.#viewFor(seat, ...) })`.
   */
  #broadcast(closingId?: string): void {
    const open: RoomConnection[] = [];
    for (const connection of this.#host.connections()) if (connection.id !== closingId) open.push(connection);
    const seats = open.map((connection) => this.#seatOf(connection));
    const connected = new Set<PlayerId>();
    for (const seat of seats) if (seat !== null) connected.add(seat);

    const { head, tail } = this.#sharedView(connected);
    const frameHead = `${encode({ type: "state", state: head as StateView }).slice(0, -2)},"you":`;
    const frameTail = `,${JSON.stringify(tail).slice(1)}}`;
    const framesBySeat = new Map<PlayerId | null, string>();
    for (let i = 0; i < open.length; i++) {
      const seat = seats[i]!;
      let frame = framesBySeat.get(seat);
      if (frame === undefined) {
        frame = frameHead + JSON.stringify(this.#you(seat)) + frameTail;
        framesBySeat.set(seat, frame);
      }
      open[i]!.send(frame);
    }
  }

  #viewFor(seat: PlayerId | null, connected: ReadonlySet<PlayerId>): StateView {
    const { head, tail } = this.#sharedView(connected);
    return { ...head, you: this.#you(seat), ...tail };
  }

  /** The parts of a view every seat shares, in StateView's key order: before and after `you`. */
  #sharedView(connected: ReadonlySet<PlayerId>): {
    head: Pick<StateView, "room" | "phase" | "round" | "hostId" | "players">;
    tail: Omit<StateView, "room" | "phase" | "round" | "hostId" | "players" | "you">;
  } {
    const serverTime = this.#host.now();
    const { game, room, turnDeadline } = this.#document;
    const view = viewFor(game, null);
    return {
      head: {
        room,
        phase: view.phase,
        round: view.round,
        hostId: view.hostId,
        players: view.players.map((p) => ({
          id: p.id,
          name: p.name,
          diceCount: p.diceCount,
          connected: connected.has(p.id),
          eliminated: p.eliminated,
        })),
      },
      tail: {
        turn: view.turn,
        currentBid: view.currentBid,
        palifico: view.palifico,
        lastRound: view.lastRound,
        winnerId: view.winnerId,
        turnDeadline,
        serverTime,
      },
    };
  }

  /** The one per-seat part of a view: the seat's own dice. */
  #you(seat: PlayerId | null): StateView["you"] {
    const me = seat === null ? undefined : this.#document.game.players.find((p) => p.id === seat);
    return me ? { id: me.id, dice: [...me.dice] } : null;
  }

  #sendError(connection: RoomConnection, code: ErrorCode, message: string): void {
    connection.send(encode({ type: "error", code, message }));
  }

  // ------------------------------------------------------------------------------- helpers

  /** The connection's seat if that player is still at the table (a left seat is no seat). */
  #seatOf(connection: RoomConnection): PlayerId | null {
    const seat = connection.seat;
    return seat !== null && this.#document.game.players.some((p) => p.id === seat) ? seat : null;
  }

  /** Seats at the table held by at least one open socket (but `closingId`). */
  #connectedSeats(closingId?: string): Set<PlayerId> {
    const seats = new Set<PlayerId>();
    for (const connection of this.#host.connections()) {
      const seat = connection.id === closingId ? null : this.#seatOf(connection);
      if (seat !== null) seats.add(seat);
    }
    return seats;
  }

  #connectedSockets(): number {
    let count = 0;
    for (const _ of this.#host.connections()) count++;
    return count;
  }

  /**
   * Runs `change` after every earlier change has finished. A failure is reported to the
   * connection as INTERNAL (no details) and logged without the frame, which may hold a token.
   */
  #exclusive(change: () => Promise<void>, connection?: RoomConnection): Promise<void> {
    const run = this.#queue.then(change).catch((error: unknown) => {
      console.error(`room ${this.roomId}: change failed:`, error instanceof Error ? error.message : error);
      if (connection) this.#sendError(connection, ErrorCode.INTERNAL, "The server could not process that message; nothing changed");
      else throw error; // alarms: let the runtime retry
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
