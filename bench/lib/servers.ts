// Starting the Workers under test on local workerd (wrangler dev, loopback only), timing how long
// each takes to answer its first /health, and making sure none outlives the bench.
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevServer, type DevServer } from "../../test/support/dev-server.ts";

/** The wrangler configs the bench runs, relative to the project root. */
export const WORKERS = {
  /** perudo-vibe exactly as deployed. */
  perudo: "wrangler.jsonc",
  /** The echo room: the runtime's floor. */
  baseline: "bench/baseline/wrangler.echo.jsonc",
  /** perudo-vibe with counted storage calls (cost section only). */
  counted: "bench/baseline/wrangler.counted.jsonc",
  /** The echo room plus one document write per message (bench/breakdown.ts only). */
  echoStored: "bench/baseline/wrangler.echo-stored.jsonc",
  /** perudo-vibe without its document write (bench/breakdown.ts only). */
  unsaved: "bench/baseline/wrangler.unsaved.jsonc",
} as const;
export type WorkerName = keyof typeof WORKERS;

export interface StartedWorker {
  server: DevServer;
  /** Spawn of `wrangler dev` -> first 200 on /health (includes wrangler's own start and build). */
  spawnToHealthMs: number;
  /** "Ready on" printed -> first 200 on /health: the Worker's own start in workerd. */
  readyToHealthMs: number;
  stop(): Promise<void>;
}

const running = new Set<DevServer>();

/**
 * Where local Durable Object storage lives. Default: a RAM disk when there is one, because
 * workerd's local SQLite fsyncs on every write and, on a shared VM disk, that wait dominates
 * the room's latency (production storage is not this disk). `--state-dir` overrides it.
 */
export function defaultStateDir(): string {
  try {
    accessSync("/dev/shm", constants.W_OK);
    return "/dev/shm";
  } catch {
    return tmpdir();
  }
}

let stateDir = defaultStateDir();

export function setStateDir(dir: string): void {
  stateDir = dir;
}

/** Stops every server still running (on errors, timeouts and signals). */
export async function stopAllServers(): Promise<void> {
  await Promise.allSettled([...running].map((server) => server.stop()));
  running.clear();
}

/** A state directory the caller owns (kept across restarts; the caller removes it). */
export function newStateDir(name: WorkerName): string {
  return mkdtempSync(path.join(stateDir, `perudo-bench-${name}-`));
}

/**
 * Starts `wrangler dev` for a Worker. By default on a fresh state directory (every run begins with
 * empty Durable Object storage) that stop() removes; with `keepState`, on that directory, which
 * stop() leaves in place, so a second start is a restart of the same rooms.
 */
export async function startWorker(
  name: WorkerName,
  vars: Record<string, string> = {},
  keepState?: string,
): Promise<StartedWorker> {
  const persistTo = keepState ?? newStateDir(name);
  const removeState = () => {
    if (keepState === undefined) rmSync(persistTo, { recursive: true, force: true });
  };
  const spawnedAt = performance.now();
  let server: DevServer;
  try {
    server = await startDevServer({ config: WORKERS[name], persistTo, vars });
  } catch (error) {
    removeState();
    throw error;
  }
  running.add(server);
  const readyAt = performance.now();
  const stop = async () => {
    running.delete(server);
    await server.stop();
    removeState();
    // workerd can still be flushing for a moment after wrangler exits; sweep once more.
    await new Promise((resolve) => setTimeout(resolve, 300));
    removeState();
  };
  try {
    const healthyAt = await firstHealthy(server.url, 30_000);
    return { server, spawnToHealthMs: healthyAt - spawnedAt, readyToHealthMs: healthyAt - readyAt, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function firstHealthy(baseUrl: string, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/health`);
      await response.arrayBuffer();
      if (response.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${baseUrl}/health did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
