// Starts this project's Worker (or another wrangler config) on real workerd via `wrangler dev`,
// on free loopback ports, and stops it (with its whole process tree) when asked.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
export const WRANGLER_BIN = path.join(PROJECT_ROOT, "node_modules/.bin/wrangler");

/** Environment for any wrangler child: no metrics, no update check, no cf.json fetch. */
export const OFFLINE_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
} as const;

/**
 * wrangler dev's own tooling that production does not run, switched off for tests and the bench.
 * In wrangler 4.164, "local observability" streams a trace of every event (each WebSocket message, each
 * storage call in it) to a collector Worker in the same workerd, which stores it in SQLite: under
 * the bench's room load that cost 1.8 ms of CPU per action for the room and 0.95 ms for the echo
 * floor, more than either Worker's own work (docs/performance.md). The local explorer is its UI.
 * Both are read by wrangler (X_LOCAL_OBSERVABILITY, X_LOCAL_EXPLORER; default on). `npm start`
 * keeps them for developers.
 */
export const DEV_TOOLING_OFF_ENV = {
  X_LOCAL_OBSERVABILITY: "false",
  X_LOCAL_EXPLORER: "false",
} as const;

/** Asks the OS for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("could not read the allocated port"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface DevServerOptions {
  /** `--var KEY:VALUE` pairs. */
  vars?: Record<string, string>;
  /**
   * Local persistence directory (`--persist-to`); pass the same one again to restart on the same
   * state. Default: a fresh temporary directory, deleted by stop(). Never the shared
   * .wrangler/state: parallel runs would open the same Durable Object SQLite files (SQLITE_BUSY).
   */
  persistTo?: string;
  /** wrangler config file, relative to PROJECT_ROOT (default: wrangler.jsonc). */
  config?: string;
  /** Port to listen on (default: a free one). Pass the old port to restart in place. */
  port?: number;
  /** Extra wrangler dev arguments. */
  extraArgs?: string[];
  /** How long to wait for "Ready on" (ms). */
  readyTimeoutMs?: number;
}

export interface DevServer {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  child: ChildProcess;
  /** The persistence directory in use. */
  persistTo: string;
  /** Everything wrangler printed so far (stdout + stderr). */
  output(): string;
  /** Stops wrangler and workerd (and deletes the persistence directory if it made it). */
  stop(): Promise<void>;
  /**
   * A crash, not a stop: SIGKILL to the workerd process first (no chance to finish anything),
   * then to the rest of the process group. Keeps the persistence directory. Resolves with the
   * number of workerd processes killed.
   */
  crash(): Promise<number>;
}

/** Ports picked by freePort() are released before wrangler binds them, so another process
 * (another test file's workerd, say) can take one in between: retry that case with new ports. */
const ADDRESS_IN_USE_ATTEMPTS = 3;

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDevServerOnce(options);
    } catch (error) {
      const portsAreOurs = options.port === undefined;
      const addressInUse = error instanceof Error && /Address already in use|EADDRINUSE/.test(error.message);
      if (!portsAreOurs || !addressInUse || attempt >= ADDRESS_IN_USE_ATTEMPTS) throw error;
    }
  }
}

async function startDevServerOnce(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const ownsPersistDir = options.persistTo === undefined;
  const persistTo = options.persistTo ?? (await mkdtemp(path.join(tmpdir(), "perudo-dev-")));
  const inspectorPort = await freePort();
  const args = [
    "dev",
    "--config",
    options.config ?? "wrangler.jsonc",
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(inspectorPort),
    "--show-interactive-dev-session=false",
    "--log-level",
    "info",
    "--persist-to",
    persistTo,
    ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(WRANGLER_BIN, args, {
    cwd: PROJECT_ROOT,
    // Own process group, so stop() reaches workerd too.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...withoutCloudflareCredentials(process.env), ...OFFLINE_WRANGLER_ENV, ...DEV_TOOLING_OFF_ENV, CI: "true" },
  });
  let log = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (/Ready on http/.test(log)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) =>
      reject(new Error(`wrangler dev exited (${code}) before it was ready:\n${log}`)),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
    // workerd may outlive wrangler for a moment; make sure the group is gone.
    killGroup(child, "SIGKILL");
    if (ownsPersistDir) await rm(persistTo, { recursive: true, force: true });
  };
  const crash = async () => {
    const workerds = await processesInGroup(child.pid!, /workerd/);
    for (const pid of workerds) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    killGroup(child, "SIGKILL");
    if (child.exitCode === null && child.signalCode === null) await exited;
    return workerds.length;
  };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`wrangler dev not ready after ${timeoutMs} ms:\n${log}`)),
          timeoutMs,
        );
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { url: `http://127.0.0.1:${port}`, port, child, persistTo, output: () => log, stop, crash };
}

/** Pids in process group `group` whose command name matches `name` (Linux /proc). */
async function processesInGroup(group: number, name: RegExp): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after the last ")".
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === group && name.test(comm)) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function withoutCloudflareCredentials(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  for (const key of Object.keys(copy)) {
    if (key.startsWith("CLOUDFLARE_") || key.startsWith("CF_")) delete copy[key];
  }
  return copy;
}
