// perudo-vibe's Worker, unchanged, plus a read-only way for tests to see what a room stored on
// real workerd (the fuzz test compares the document before and after every refused frame).
// Never deployed; started with `wrangler dev --config` on this folder's config.
//
// The text frame INSPECT_FRAME on any socket is answered on that socket with
// {"type":"__document","document": <the stored RoomDocument, or null>}, read straight from
// Durable Object storage once every message the room received before it has been handled. It
// never reaches the room (not parsed, not rate limited), so a test can send it right after each
// frame and get the answer to that frame and the document after it in one round trip.
import type { Connection, WSMessage } from "partyserver";
import production, { Main as ProductionMain } from "../../../party/index.ts";
import { DOCUMENT_KEY } from "../../../party/room/document.ts";
import { INSPECT_FRAME } from "./inspect-frame.ts";

export class Main extends ProductionMain {
  /** Settles when the last message handed to the room has been handled (the room is FIFO). */
  #lastMessage: Promise<unknown> = Promise.resolve();

  override async onMessage(connection: Connection, message: WSMessage): Promise<void> {
    if (message === INSPECT_FRAME) {
      await this.#lastMessage;
      connection.send(JSON.stringify({ type: "__document", document: this.ctx.storage.kv.get(DOCUMENT_KEY) ?? null }));
      return;
    }
    const handled = super.onMessage(connection as Parameters<ProductionMain["onMessage"]>[0], message);
    this.#lastMessage = handled.catch(() => undefined);
    return handled;
  }
}

export default production;
