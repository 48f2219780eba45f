// Section 1, room load: one wrangler dev per (target, R), driven by the load generator in a
// child process. The server's CPU is the Worker's own workerd process, read from /proc at the
// start and end of the measuring window; the whole wrangler dev tree (wrangler, its dev proxy
// workerd that relays every frame, its esbuild watcher) is read too, as information: production
// runs none of those. RSS is sampled for the tree.
import { fork } from "node:child_process";
import path from "node:path";
import { PROJECT_ROOT } from "../../test/support/dev-server.ts";
import { PeakMemory, processCpuSeconds, sampleTree, workerRuntimePid } from "../lib/proc-tree.ts";
import { round } from "../lib/stats.ts";
import { startWorker, type WorkerName } from "../lib/servers.ts";
import type { ChildMessage, LoadConfig, LoadResult, LoadTarget, ParentMessage } from "../load/types.ts";

/** Every client's pace; a room of 6 offers 6 actions a second. */
export const MESSAGES_PER_CLIENT_PER_SECOND = 1;

export interface RoomLoadOptions {
  /** Which protocol the load generator speaks: the echo room's or perudo-vibe's. */
  target: LoadTarget;
  /** The Worker that serves it; by default the echo floor or perudo-vibe itself. */
  worker?: WorkerName;
  rooms: number;
  clientsPerRoom: number;
  warmupMs: number;
  windowMs: number;
  seed: number;
}

/** CPU of one set of processes over the measuring window. */
export interface WindowCpu {
  /** CPU seconds during the window. */
  cpuSeconds: number;
  /** Window CPU minus the idle rate (what the load itself cost). */
  netCpuSeconds: number;
  /** CPU per second while idle, measured before the load. */
  idleCpuPerSecond: number;
  /** Window CPU minus the idle rate, per 1,000 answered actions. */
  cpuSecondsPer1000Actions: number;
  /** Window CPU per 1,000 answered actions, idle included. */
  grossCpuSecondsPer1000Actions: number;
}

export interface RoomLoadRun extends LoadResult {
  /** The Worker's own workerd: CPU seconds during the window (NaN if it restarted meanwhile). */
  serverCpuSeconds: number;
  /** Window CPU minus the idle rate (what the load itself cost). */
  netServerCpuSeconds: number;
  /** The same process's CPU per second while idle, measured before the load. */
  idleCpuPerSecond: number;
  /** Window CPU minus the idle rate, per 1,000 answered actions: what the load itself cost. */
  serverCpuSecondsPer1000Actions: number;
  /** Window CPU per 1,000 answered actions, idle included. */
  grossServerCpuSecondsPer1000Actions: number;
  /** Information: the whole wrangler dev tree (wrangler, its dev proxy, esbuild, the Worker's workerd). */
  devTree: WindowCpu;
  generatorCpuSecondsPer1000Actions: number;
  peakRssBytes: number;
  serverProcesses: number;
  spawnToHealthMs: number;
  readyToHealthMs: number;
  /**
   * Times wrangler rebuilt and reloaded the Worker during the run (it watches the sources, and
   * others may edit them meanwhile); a reload drops every socket, so lost messages follow.
   */
  serverReloads: number;
}

const IDLE_SAMPLE_MS = 1_500;
const GENERATOR = path.join(PROJECT_ROOT, "bench/load/generator.ts");

export async function measureRoomLoad(options: RoomLoadOptions): Promise<RoomLoadRun> {
  const worker = await startWorker(options.worker ?? (options.target === "baseline" ? "baseline" : "perudo"));
  const pid = worker.server.child.pid!;
  const runtimePid = workerRuntimePid(pid, worker.server.port);
  // NaN once the process is gone: wrangler restarted the Worker (serverReloads says so).
  const runtimeCpu = () => processCpuSeconds(runtimePid) ?? Number.NaN;
  const cpuNow = () => {
    const tree = sampleTree(pid);
    return { tree: tree.cpuSeconds, runtime: runtimeCpu(), processes: tree.processes };
  };
  const memory = new PeakMemory(pid);
  try {
    const idleFrom = cpuNow();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SAMPLE_MS));
    const idleTo = cpuNow();
    const idleRate = (part: "tree" | "runtime") => (idleTo[part] - idleFrom[part]) / (IDLE_SAMPLE_MS / 1000);
    const config: LoadConfig = {
      target: options.target,
      wsBase: `ws://127.0.0.1:${worker.server.port}`,
      rooms: options.rooms,
      clientsPerRoom: options.clientsPerRoom,
      messagesPerClientPerSecond: MESSAGES_PER_CLIENT_PER_SECOND,
      warmupMs: options.warmupMs,
      windowMs: options.windowMs,
      answerTimeoutMs: 5_000,
      roomPrefix: `bench-${options.target}-r${options.rooms}`,
      connectConcurrency: 64,
      seed: options.seed,
    };
    let atStart = { tree: 0, runtime: 0, processes: 0 };
    let atEnd = { tree: 0, runtime: 0, processes: 0 };
    const result = await runGenerator(config, (message) => {
      if (message.type === "window-start") atStart = cpuNow();
      if (message.type === "window-end") atEnd = cpuNow();
    });
    const thousands = Math.max(result.answeredInWindow, 1) / 1000;
    const windowCpu = (part: "tree" | "runtime"): WindowCpu => {
      const cpuSeconds = atEnd[part] - atStart[part];
      const netCpuSeconds = Math.max(0, cpuSeconds - idleRate(part) * result.windowSeconds);
      return {
        cpuSeconds: round(cpuSeconds),
        netCpuSeconds: round(netCpuSeconds),
        idleCpuPerSecond: round(idleRate(part)),
        cpuSecondsPer1000Actions: round(netCpuSeconds / thousands),
        grossCpuSecondsPer1000Actions: round(cpuSeconds / thousands),
      };
    };
    const server = windowCpu("runtime");
    return {
      ...result,
      serverCpuSeconds: server.cpuSeconds,
      idleCpuPerSecond: server.idleCpuPerSecond,
      netServerCpuSeconds: server.netCpuSeconds,
      serverCpuSecondsPer1000Actions: server.cpuSecondsPer1000Actions,
      grossServerCpuSecondsPer1000Actions: server.grossCpuSecondsPer1000Actions,
      devTree: windowCpu("tree"),
      generatorCpuSecondsPer1000Actions: round(result.generatorCpuSeconds / thousands),
      peakRssBytes: memory.stop(),
      serverProcesses: atEnd.processes,
      spawnToHealthMs: round(worker.spawnToHealthMs, 1),
      readyToHealthMs: round(worker.readyToHealthMs, 1),
      serverReloads: (worker.server.output().match(/Reloading local server/g) ?? []).length,
    };
  } finally {
    memory.stop();
    await worker.stop();
  }
}

export function runGenerator(config: LoadConfig, onPhase: (message: ChildMessage) => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(GENERATOR, [], {
      cwd: PROJECT_ROOT,
      // The pinned Node runs the generator as TypeScript itself: no loader.
      execArgv: [],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let settled = false;
    const finish = (error: Error | null, result?: LoadResult) => {
      if (settled) return;
      settled = true;
      if (child.exitCode === null) child.kill("SIGKILL");
      if (error) reject(error);
      else resolve(result!);
    };
    child.on("message", (message: ChildMessage) => {
      if (message.type === "result") finish(null, message.result);
      else if (message.type === "failed") finish(new Error(`load generator failed: ${message.message}`));
      else onPhase(message);
    });
    child.once("exit", (code, signal) => finish(new Error(`load generator exited (${code ?? signal}) without a result`)));
    child.once("error", (error) => finish(error));
    child.send({ type: "run", config } satisfies ParentMessage);
  });
}
