// The runtime's floor: a minimal PartyServer room that echoes every message to every connection
// of the room, with the same hibernation setting, binding name and URL layout as perudo-vibe.
// The bench drives it with the same load generator as the real room, so their ratio is what the
// game itself costs on top of PartyServer + workerd.
import { routePartykitRequest, Server, type Connection, type WSMessage } from "partyserver";

export interface Env {
  Main: DurableObjectNamespace<Main>;
}

export class Main extends Server<Env> {
  static override options = { hibernate: true };

  override onMessage(_sender: Connection, message: WSMessage): void {
    this.broadcast(message);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (new URL(request.url).pathname === "/health") return Response.json({ ok: true, name: "bench-echo" });
    return (
      (await routePartykitRequest(request, env as unknown as Record<string, unknown>)) ??
      Response.json({ error: "not found" }, { status: 404 })
    );
  },
} satisfies ExportedHandler<Env>;
