// CPU time and resident memory of a process tree, read from /proc (Linux only).
// wrangler dev is started in its own process group (test/support/dev-server.ts), and its
// children (esbuild, workerd) inherit that group; descendants that moved to another group are
// found through their parent pid, so workerd is counted either way.
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux
const PAGE_BYTES = 4096;

interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** utime + stime, in clock ticks */
  cpuTicks: number;
  rssPages: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // exited meanwhile
  }
  // The command name is in parentheses and may contain spaces: split after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state) of proc(5), so field N is fields[N - 3].
  const field = (n: number) => Number(fields[n - 3]);
  return { pid, ppid: field(4), pgrp: field(5), cpuTicks: field(14) + field(15), rssPages: field(24) };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

export interface TreeSample {
  /** CPU seconds (user + system) consumed so far by the live processes of the tree. */
  cpuSeconds: number;
  rssBytes: number;
  processes: number;
}

/** The processes in `rootPid`'s group plus every descendant of any of them. */
export function sampleTree(rootPid: number): TreeSample {
  const stats = allStats();
  const members = treeMembers(stats, rootPid);
  let cpuTicks = 0;
  let rssPages = 0;
  for (const stat of stats) {
    if (!members.has(stat.pid)) continue;
    cpuTicks += stat.cpuTicks;
    rssPages += stat.rssPages;
  }
  return { cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND, rssBytes: rssPages * PAGE_BYTES, processes: members.size };
}

function treeMembers(stats: ProcStat[], rootPid: number): Set<number> {
  const members = new Set<number>();
  for (const stat of stats) if (stat.pgrp === rootPid || stat.pid === rootPid) members.add(stat.pid);
  let grew = true;
  while (grew) {
    grew = false;
    for (const stat of stats) {
      if (!members.has(stat.pid) && members.has(stat.ppid)) {
        members.add(stat.pid);
        grew = true;
      }
    }
  }
  return members;
}

/**
 * The workerd process that runs the Worker itself, out of a `wrangler dev` tree. wrangler 4 runs
 * two: its dev proxy, listening on the dev port (`--socket-addr=entry=<ip>:<port>`), which relays
 * every request and WebSocket frame to the second, the Worker's own runtime (entry on a random
 * port). Production has neither the proxy nor wrangler nor its esbuild watcher, so the room's
 * server CPU is this process's. Throws when the tree does not look like that, rather than
 * measuring the wrong process.
 */
export function workerRuntimePid(rootPid: number, devPort: number): number {
  const stats = allStats();
  const members = treeMembers(stats, rootPid);
  const workerds = [...members].map((pid) => ({ pid, args: commandLine(pid) })).filter(({ args }) => args[0]?.endsWith("workerd"));
  const proxyEntry = `entry=127.0.0.1:${devPort}`;
  const runtimes = workerds.filter(({ args }) => !args.some((arg) => arg.endsWith(proxyEntry)));
  if (runtimes.length !== 1) {
    throw new Error(
      `expected one workerd besides wrangler's dev proxy (on port ${devPort}) in the wrangler dev tree of pid ${rootPid}, ` +
        `found ${runtimes.length} of ${workerds.length} workerd processes: has wrangler changed how it runs workerd?`,
    );
  }
  return runtimes[0]!.pid;
}

/** CPU seconds (user + system) one process has used so far, or null once it has exited. */
export function processCpuSeconds(pid: number): number | null {
  const stat = readStat(pid);
  return stat === null ? null : stat.cpuTicks / CLOCK_TICKS_PER_SECOND;
}

function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/** Samples a tree's RSS periodically and remembers the peak. */
export class PeakMemory {
  #peak = 0;
  #timer: NodeJS.Timeout | undefined;

  readonly #rootPid: number;

  constructor(rootPid: number, intervalMs = 250) {
    this.#rootPid = rootPid;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
    this.#timer.unref();
  }

  sample(): void {
    this.#peak = Math.max(this.#peak, sampleTree(this.#rootPid).rssBytes);
  }

  stop(): number {
    clearInterval(this.#timer);
    this.sample();
    return this.#peak;
  }
}

/** CPU seconds used by this Node process itself (user + system). */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}
