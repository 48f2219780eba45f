// npm run bench:profile [-- flags]: where a Worker spends its CPU under the bench's room load.
// Starts the Worker on wrangler dev, drives R rooms of 6 clients with the bench's load generator,
// and records a V8 CPU profile of the Worker's isolate over the measuring window through the
// inspector wrangler dev exposes. Prints self time by function and by source file, and writes the
// .cpuprofile (open it in Chrome DevTools) under bench/results/.
//
// Read it for where the time goes inside one profile, not as absolute cost: attaching a
// DevTools session makes wrangler's inspector proxy enable V8's debugger, which slows the isolate
// (with wrangler's local observability on, a 60-actions/s room looked 77% busy). The bench's CPU
// figures come from /proc; `perf record -p <workerd pid>` shows the runtime's own C++ side.
//
//   --worker <name>   perudo (default), baseline (the echo floor), unsaved, echoStored
//   --rooms <n>       rooms (default 10)
//   --window <s>      profiled seconds (default 15)
//   --top <n>         rows per table (default 25)
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../test/support/dev-server.ts";
import { startWorker, stopAllServers, WORKERS, type WorkerName } from "./lib/servers.ts";
import { MESSAGES_PER_CLIENT_PER_SECOND, runGenerator } from "./sections/room-load.ts";
import type { LoadConfig } from "./load/types.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** A minimal Chrome DevTools Protocol session over the inspector's WebSocket. */
async function inspectorSession(port: number) {
  const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string }[];
  const target = targets[0];
  if (!target) throw new Error(`the inspector on port ${port} lists no target`);
  // wrangler's inspector proxy accepts local origins only, and wants one named when a User-Agent is sent.
  const socket = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } } as unknown as string[]);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener("open", () => resolve(), { once: true });
    socket.addEventListener("error", () => reject(new Error("could not open the inspector WebSocket")), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve) => {
        pending.set(id, (result) => resolve(result as T));
        socket.send(JSON.stringify({ id, method, params }));
      });
    },
    close: () => socket.close(),
  };
}

function selfTimes(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    const file = frame.url === "" ? "(native)" : frame.url.replace(/^.*\//, "");
    const name = `${frame.functionName || "(anonymous)"}  ${file}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byFile.set(file, (byFile.get(file) ?? 0) + micros);
  }
  return { byFunction, byFile, totalMicros: profile.endTime - profile.startTime };
}

function table(title: string, rows: Map<string, number>, totalMicros: number, top: number, actions: number): string {
  const sorted = [...rows].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [`${title}`, `${"self ms".padStart(9)} ${"% wall".padStart(7)} ${"µs/action".padStart(10)}  what`];
  for (const [name, micros] of sorted) {
    lines.push(
      `${(micros / 1000).toFixed(1).padStart(9)} ${((micros / totalMicros) * 100).toFixed(1).padStart(7)} ${(micros / Math.max(actions, 1)).toFixed(1).padStart(10)}  ${name}`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { worker: { type: "string" }, rooms: { type: "string" }, window: { type: "string" }, top: { type: "string" } },
    strict: true,
  });
  const worker = (values.worker ?? "perudo") as WorkerName;
  if (!(worker in WORKERS)) throw new Error(`--worker must be one of ${Object.keys(WORKERS).join(", ")}, got "${worker}"`);
  const rooms = Number(values.rooms ?? 10);
  const windowMs = Number(values.window ?? 15) * 1000;
  const top = Number(values.top ?? 25);
  for (const [flag, value] of [["rooms", rooms], ["window", windowMs], ["top", top]] as const) {
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number`);
  }

  const started = await startWorker(worker);
  try {
    const inspectorPort = Number(/--inspector-port (\d+)/.exec(started.server.child.spawnargs.join(" "))?.[1]);
    const session = await inspectorSession(inspectorPort);
    await session.send("Profiler.enable");
    await session.send("Profiler.setSamplingInterval", { interval: 100 });
    const config: LoadConfig = {
      target: worker === "baseline" || worker === "echoStored" ? "baseline" : "perudo",
      wsBase: `ws://127.0.0.1:${started.server.port}`,
      rooms,
      clientsPerRoom: 6,
      messagesPerClientPerSecond: MESSAGES_PER_CLIENT_PER_SECOND,
      warmupMs: 3_000,
      windowMs,
      answerTimeoutMs: 5_000,
      roomPrefix: `profile-${worker}`,
      connectConcurrency: 64,
      seed: 1,
    };
    let profiling: Promise<unknown> = Promise.resolve();
    let stopped: Promise<{ profile: CpuProfile }> | undefined;
    const result = await runGenerator(config, (message) => {
      if (message.type === "window-start") profiling = session.send("Profiler.start");
      if (message.type === "window-end") stopped = profiling.then(() => session.send<{ profile: CpuProfile }>("Profiler.stop"));
    });
    if (!stopped) throw new Error("the load generator never reported the end of its window");
    const { profile } = await stopped;
    session.close();
    const outDir = path.join(PROJECT_ROOT, "bench/results");
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `profile-${worker}-r${rooms}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    const { byFunction, byFile, totalMicros } = selfTimes(profile);
    const actions = result.answeredInWindow;
    const idle = byFunction.get(`(idle)  (native):0`) ?? 0;
    console.log(`${worker}, R=${rooms}: ${actions} answered actions in ${(totalMicros / 1e6).toFixed(1)} s; isolate busy ${(((totalMicros - idle) / totalMicros) * 100).toFixed(1)}% = ${((totalMicros - idle) / Math.max(actions, 1)).toFixed(1)} µs per action`);
    console.log(table("\nby source file", byFile, totalMicros, top, actions));
    console.log(table("\nby function", byFunction, totalMicros, top, actions));
    console.log(`\nprofile: ${path.relative(PROJECT_ROOT, file)}`);
  } finally {
    await started.stop();
  }
}

main().catch(async (error: unknown) => {
  await stopAllServers();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
