// A typed WebSocket test client for the room protocol: connect, send, and await the next server
// message of a given type (with a timeout), while keeping every frame it ever received.
import WebSocket from "ws";
import type { ClientMessage, ServerMessage, StateView } from "../../party/protocol.js";

export type MessageOf<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

export interface ConnectOptions {
  origin?: string;
  /** Time to wait for the welcome and first state (ms). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** ws://host:port/parties/main/<room> (or the PartyKit layout /party/<room>). */
export function roomUrl(baseUrl: string, room: string, layout: "parties" | "party" = "parties"): string {
  const ws = baseUrl.replace(/^http/, "ws");
  return layout === "parties" ? `${ws}/parties/main/${room}` : `${ws}/party/${room}`;
}

/** A unique room id per test, so tests sharing a server never share a table. */
export function uniqueRoom(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

interface Waiter {
  accept: (message: ServerMessage) => boolean;
  resolve: (message: ServerMessage) => void;
}

export class TestClient {
  /** Every message received, in order (never consumed). */
  readonly received: ServerMessage[] = [];
  /** Messages not yet returned by `next`. */
  readonly #pending: ServerMessage[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The welcome and the first state, received on connect. */
  welcome!: MessageOf<"welcome">;
  initialState!: StateView;

  private constructor(
    readonly socket: WebSocket,
    readonly label: string,
  ) {
    this.closed = new Promise((resolve) =>
      socket.once("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on("message", (data, isBinary) => {
      const message = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString() : data.toString()) as ServerMessage;
      this.received.push(message);
      for (const waiter of this.#waiters) {
        if (waiter.accept(message)) {
          this.#waiters.delete(waiter);
          waiter.resolve(message);
          return;
        }
      }
      this.#pending.push(message);
    });
  }

  /** Opens a socket and waits for `welcome` and the first `state`. */
  static async connect(url: string, options: ConnectOptions & { label?: string } = {}): Promise<TestClient> {
    const socket = new WebSocket(url, options.origin ? { origin: options.origin } : {});
    const client = new TestClient(socket, options.label ?? "client");
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)),
      );
    });
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    client.welcome = await client.next("welcome", { timeoutMs });
    client.initialState = (await client.next("state", { timeoutMs })).state;
    return client;
  }

  send(message: ClientMessage | Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? typeof data !== "string" });
  }

  /**
   * The first not-yet-returned message of `type` (matching `where`), waiting for it if needed.
   * Other messages stay pending for later calls.
   */
  next<T extends ServerMessage["type"]>(
    type: T,
    options: { where?: (message: MessageOf<T>) => boolean; timeoutMs?: number } = {},
  ): Promise<MessageOf<T>> {
    const accept = (message: ServerMessage): message is MessageOf<T> =>
      message.type === type && (options.where?.(message as MessageOf<T>) ?? true);
    const index = this.#pending.findIndex(accept);
    if (index !== -1) return Promise.resolve(this.#pending.splice(index, 1)[0] as MessageOf<T>);

    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { accept, resolve: (message) => (clearTimeout(timer), resolve(message as MessageOf<T>)) };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.received.map((m) => m.type).join(", ");
        reject(new Error(`${this.label}: no "${type}" message within ${timeoutMs} ms (received: ${seen})`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** The next state that satisfies `where` (states before it are dropped). */
  async state(where: (state: StateView) => boolean = () => true, timeoutMs?: number): Promise<StateView> {
    for (;;) {
      const message = await this.next("state", { timeoutMs });
      if (where(message.state)) return message.state;
    }
  }

  /** Sends `message` and returns the error it provokes. */
  async expectError(message: ClientMessage | Record<string, unknown>): Promise<MessageOf<"error">> {
    this.send(message);
    return this.next("error");
  }

  /**
   * A barrier: resolves once the server has handled everything sent before (the room answers
   * in order). Returns the messages that arrived meanwhile and were still pending.
   */
  async sync(): Promise<ServerMessage[]> {
    this.send({ type: "ping" });
    await this.next("pong");
    return this.takePending();
  }

  /** Removes and returns every pending (not yet returned) message. */
  takePending(): ServerMessage[] {
    return this.#pending.splice(0, this.#pending.length);
  }

  /** Joins and returns the seat; waits for the state that shows it. */
  async join(name: string): Promise<{ playerId: string; seatToken: string; state: StateView }> {
    this.send({ type: "join", name });
    const joined = await this.next("joined");
    const state = await this.state((s) => s.you?.id === joined.playerId);
    return { playerId: joined.playerId, seatToken: joined.seatToken, state };
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}

/** Tries a WebSocket upgrade and reports the HTTP status it was refused with (or 101). */
export async function upgradeStatus(url: string, options: { origin?: string } = {}): Promise<number> {
  const socket = new WebSocket(url, options.origin ? { origin: options.origin } : {});
  return new Promise((resolve, reject) => {
    socket.once("open", () => {
      socket.close();
      resolve(101);
    });
    socket.once("unexpected-response", (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
