// perudo-vibe's Worker, unchanged, plus one read-only endpoint for tests that must see what a
// room stored on real workerd (the fuzz test compares the document before and after every
// refused frame). Never deployed; started with `wrangler dev --config` on this folder's config.
//   GET /__test/document/<roomId>  -> { document: RoomDocument | null }
import production, { Main as ProductionMain, type Env } from "../../../party/index.ts";
import { DOCUMENT_KEY } from "../../../party/room/document.ts";
import { ROOM_ID_PATTERN } from "../../../party/protocol.ts";

const DOCUMENT_PATH = "/__test/document";

export class Main extends ProductionMain {
  override async fetch(request: Request): Promise<Response> {
    // Straight from storage: no room code runs, nothing is written, the room is not started.
    if (new URL(request.url).pathname === DOCUMENT_PATH) {
      return Response.json({ document: this.ctx.storage.kv.get(DOCUMENT_KEY) ?? null });
    }
    return super.fetch(request);
  }
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname.startsWith(`${DOCUMENT_PATH}/`)) {
      const roomId = url.pathname.slice(DOCUMENT_PATH.length + 1);
      if (!ROOM_ID_PATTERN.test(roomId)) return Response.json({ error: "bad_room_id" }, { status: 400 });
      return env.Main.get(env.Main.idFromName(roomId)).fetch(new Request(`https://room${DOCUMENT_PATH}`));
    }
    return production.fetch(request, env);
  },
} satisfies ExportedHandler<Env>;
