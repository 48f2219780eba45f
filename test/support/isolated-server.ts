// A dev server with its own persistence directory. Without one, every `wrangler dev` in this
// checkout shares .wrangler/state, so parallel test files (and other engineers' runs) would open
// the same Durable Object SQLite files and fail with SQLITE_BUSY.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevServer, type DevServer, type DevServerOptions } from "./dev-server.js";

export interface IsolatedServer extends DevServer {
  persistTo: string;
  /** Stops the server and deletes its persistence directory. */
  dispose(): Promise<void>;
}

export async function startIsolatedServer(options: Omit<DevServerOptions, "persistTo"> = {}): Promise<IsolatedServer> {
  const persistTo = await mkdtemp(path.join(tmpdir(), "perudo-it-"));
  try {
    const server = await startDevServer({ ...options, persistTo });
    return {
      ...server,
      persistTo,
      dispose: async () => {
        await server.stop();
        await rm(persistTo, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(persistTo, { recursive: true, force: true });
    throw error;
  }
}
