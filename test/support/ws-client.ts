// A typed WebSocket test client for the room protocol: connect, send, and await the next server
// message of a given type (with a timeout), while keeping every frame it ever received.
import WebSocket from "ws";
import type { ClientMessage, ServerMessage, StateView } from "../../party/protocol.ts";

export type MessageOf<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

export interface ConnectOptions {
  origin?: string;
  /**
   * Sent as CF-Connecting-IP (wrangler dev passes it through; Cloudflare overwrites it). Default:
   * a fresh address per socket, so the edge's per-IP upgrade limit only trips in tests about it.
   */
  clientIp?: string;
  /**
   * Pace outgoing frames below the server's limit of 10 per second, as a well-behaved client
   * would (default true). The rate-limit test turns this off to flood on purpose.
   */
  pace?: boolean;
  /** Time to wait for the welcome and first state (ms). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const PACE_LIMIT = 8;
const PACE_WINDOW_MS = 1_100;

let nextClientIp = 0;

/** A distinct address per test socket, from 198.18.0.0/15 (reserved for benchmarking, RFC 2544). */
export function testClientIp(): string {
  nextClientIp++;
  return `198.18.${(nextClientIp >> 8) & 255}.${nextClientIp & 255}`;
}

function upgradeHeaders(options: { origin?: string; clientIp?: string }): { headers: Record<string, string> } {
  const headers: Record<string, string> = { "CF-Connecting-IP": options.clientIp ?? testClientIp() };
  if (options.origin) headers["Origin"] = options.origin;
  return { headers };
}

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

  readonly #pace: boolean;
  readonly #outbox: (string | Buffer)[] = [];
  readonly #sentAt: number[] = [];
  #pumpTimer: NodeJS.Timeout | undefined;

  readonly socket: WebSocket;
  readonly label: string;

  private constructor(socket: WebSocket, label: string, pace: boolean) {
    this.socket = socket;
    this.label = label;
    this.#pace = pace;
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
    const socket = new WebSocket(url, upgradeHeaders(options));
    const client = new TestClient(socket, options.label ?? "client", options.pace ?? true);
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

  /** Sends a JSON message (in order; paced unless `pace: false`). */
  send(message: ClientMessage | Record<string, unknown>): void {
    this.sendRaw(JSON.stringify(message));
  }

  /** Sends a raw frame: a string as text, a Buffer as binary. */
  sendRaw(data: string | Buffer): void {
    if (!this.#pace) {
      this.socket.send(data, { binary: typeof data !== "string" });
      return;
    }
    this.#outbox.push(data);
    this.#pump();
  }

  // Client-side pacing: at most PACE_LIMIT frames per PACE_WINDOW_MS (a margin under the server's
  // 10 per second), so tests that send many messages never trip the rate limit by accident.
  #pump(): void {
    if (this.#pumpTimer !== undefined) return;
    while (this.#outbox.length > 0) {
      const now = Date.now();
      while (this.#sentAt.length > 0 && now - this.#sentAt[0]! >= PACE_WINDOW_MS) this.#sentAt.shift();
      if (this.#sentAt.length >= PACE_LIMIT) {
        const wait = PACE_WINDOW_MS - (now - this.#sentAt[0]!) + 1;
        this.#pumpTimer = setTimeout(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, wait);
        return;
      }
      const data = this.#outbox.shift()!;
      this.#sentAt.push(now);
      if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data, { binary: typeof data !== "string" });
    }
  }

  /**
   * The first not-yet-returned message of `type` (matching `where`), waiting for it if needed.
   * Other messages stay pending for later calls.
   */
  next<T extends ServerMessage["type"]>(
    type: T,
    options: { where?: (message: MessageOf<T>) => boolean; timeoutMs?: number } = {},
  ): Promise<MessageOf<T>> {
    const accept = (message: ServerMessage) =>
      message.type === type && (options.where?.(message as MessageOf<T>) ?? true);
    return this.#take(accept, `"${type}"`, options.timeoutMs) as Promise<MessageOf<T>>;
  }

  /** The first not-yet-returned message whose type is one of `types`. */
  nextOf<T extends ServerMessage["type"]>(types: readonly T[], timeoutMs?: number): Promise<MessageOf<T>> {
    const accept = (message: ServerMessage) => (types as readonly string[]).includes(message.type);
    return this.#take(accept, types.join(" | "), timeoutMs) as Promise<MessageOf<T>>;
  }

  #take(accept: (message: ServerMessage) => boolean, what: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerMessage> {
    const index = this.#pending.findIndex(accept);
    if (index !== -1) return Promise.resolve(this.#pending.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        accept,
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        const seen = this.received.map((m) => m.type).join(", ");
        reject(new Error(`${this.label}: no ${what} message within ${timeoutMs} ms (received: ${seen})`));
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
    clearTimeout(this.#pumpTimer);
    this.#outbox.length = 0;
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.close();
    await this.closed;
  }
}

/** Tries a WebSocket upgrade and reports the HTTP status it was refused with (or 101). */
export async function upgradeStatus(url: string, options: { origin?: string; clientIp?: string } = {}): Promise<number> {
  return (await tryUpgrade(url, options)).status;
}

/** Tries a WebSocket upgrade: 101 if it opened (then closes it), else the refusal and its body. */
export async function tryUpgrade(
  url: string,
  options: { origin?: string; clientIp?: string } = {},
): Promise<{ status: number; body: string; retryAfter: string | null }> {
  const socket = new WebSocket(url, upgradeHeaders(options));
  return new Promise((resolve, reject) => {
    socket.once("open", () => {
      socket.close(1000);
      resolve({ status: 101, body: "", retryAfter: null });
    });
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        const retryAfter = response.headers["retry-after"];
        resolve({ status: response.statusCode ?? 0, body, retryAfter: typeof retryAfter === "string" ? retryAfter : null });
        socket.terminate();
      });
    });
    socket.once("error", (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
