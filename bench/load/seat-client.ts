// A sequential WebSocket player for the cost section: sends one message, waits for its answer,
// and keeps every frame it received (so frames per action can be counted exactly).
import WebSocket from "ws";
import { simulatedClientIp } from "./client-ip.ts";
import type { ServerMessage, StateView } from "../../party/protocol.ts";

export class SeatClient {
  readonly frames: ServerMessage[] = [];
  /** Messages this client has sent. */
  sent = 0;
  view: StateView | null = null;
  playerId: string | null = null;
  seatToken: string | null = null;
  #socket: WebSocket | null = null;
  #closed: Promise<void> = Promise.resolve();
  readonly #sentAt: number[] = [];

  readonly name: string;
  private readonly url: string;
  /** One address per player, kept across reconnects. */
  readonly #clientIp = simulatedClientIp();

  constructor(name: string, url: string) {
    this.name = name;
    this.url = url;
  }

  /** Opens (or reopens) the socket and waits for the welcome and the first state. */
  async connect(timeoutMs = 10_000): Promise<void> {
    const from = this.frames.length;
    const socket = new WebSocket(this.url, { perMessageDeflate: false, headers: { "CF-Connecting-IP": this.#clientIp } });
    // Attached before the handshake completes: the first frames may share its TCP read.
    socket.on("message", (data) => {
      const text = Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
      const message = JSON.parse(text) as ServerMessage;
      this.frames.push(message);
      if (message.type === "state") this.view = message.state;
      if (message.type === "joined") {
        this.playerId = message.playerId;
        this.seatToken = message.seatToken;
      }
    });
    this.#closed = new Promise((resolve) => socket.once("close", () => resolve()));
    this.#socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    await this.waitFor(() => this.frames.slice(from).some((m) => m.type === "state"), timeoutMs, "first state");
  }

  /**
   * Waits until one more message stays within the room's rate limit (10 per rolling second,
   * party/protocol.ts), so a fast sequential bench never measures RATE_LIMITED refusals.
   */
  async paced(limit = 10, windowMs = 1_050): Promise<void> {
    const recent = this.#sentAt.filter((at) => performance.now() - at < windowMs);
    if (recent.length >= limit) await new Promise((resolve) => setTimeout(resolve, windowMs - (performance.now() - recent[0]!)));
  }

  send(message: unknown): void {
    this.#sentAt.push(performance.now());
    if (this.#sentAt.length > 20) this.#sentAt.splice(0, this.#sentAt.length - 20);
    this.#socket!.send(typeof message === "string" ? message : JSON.stringify(message));
    this.sent++;
  }

  async close(): Promise<void> {
    this.#socket?.close(1000, "bench");
    await this.#closed;
    this.#socket = null;
  }

  get open(): boolean {
    return this.#socket !== null && this.#socket.readyState === WebSocket.OPEN;
  }

  async waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) {
        throw new Error(`${this.name}: timed out waiting for ${what}; last frames: ${JSON.stringify(this.frames.slice(-2)).slice(0, 600)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}
