// Shared by the test Worker (worker.ts) and the Node-side tests that talk to it.

/** A text frame the test Worker answers with the room's stored document (see worker.ts). */
export const INSPECT_FRAME = "__test:document";
