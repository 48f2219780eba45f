// The echo floor plus what every durable room pays: one synchronous KV write of a room-sized
// document per message, issued before the broadcast (so the runtime's output gate holds the
// echoes until the write is durable, exactly as it holds perudo-vibe's `state` frames).
// Used only by `npm run bench:breakdown` (bench/breakdown.ts); never deployed.
import { routePartykitRequest, Server, type Connection, type WSMessage } from "partyserver";

export interface Env {
  Main: DurableObjectNamespace<Main>;
}

/** About the size and shape of a six-player room document (V8-serialised ~1.5 KB). */
const SEATS = Array.from({ length: 6 }, (_, i) => `player-${i}-${"x".repeat(14)}`);
const DOCUMENT = {
  version: 2,
  room: "bench",
  game: {
    phase: "playing",
    round: 1,
    players: SEATS.map((id, i) => ({ id, name: `bot${i}`, dice: [1, 2, 3, 4, 5], eliminated: false, hadPalifico: false })),
    lastRound: { dice: Object.fromEntries(SEATS.map((id) => [id, [6, 5, 4, 3, 2]])) },
  },
  seats: Object.fromEntries(SEATS.map((id) => [id, "0".repeat(64)])),
};

export class Main extends Server<Env> {
  static override options = { hibernate: true };

  #writes = 0;

  override onMessage(_sender: Connection, message: WSMessage): void {
    this.ctx.storage.kv.put("room", { ...DOCUMENT, turnDeadline: this.#writes++ });
    this.broadcast(message);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/health") return Response.json({ ok: true, name: "bench-echo-stored" });
    return (
      (await routePartykitRequest(request, env as unknown as Record<string, unknown>)) ??
      Response.json({ error: "not found" }, { status: 404 })
    );
  },
} satisfies ExportedHandler<Env>;
