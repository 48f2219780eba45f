// Placeholder room until the room-server issue lands; replaced by the real Perudo room.
import { routePartykitRequest, Server } from "partyserver";

export interface Env {
  Main: DurableObjectNamespace<Main>;
  BUILD_ID: string;
  ALLOWED_ORIGINS: string;
  TURN_SECONDS: string;
}

export class Main extends Server<Env> {
  static override options = { hibernate: true };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/health") {
      return Response.json({ ok: true, name: "perudo-vibe", version: env.BUILD_ID || "dev" });
    }
    return (
      (await routePartykitRequest(request, env as unknown as Record<string, unknown>)) ??
      Response.json({ error: "not found" }, { status: 404 })
    );
  },
} satisfies ExportedHandler<Env>;
