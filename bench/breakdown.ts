// npm run bench:breakdown [-- flags]: where perudo-vibe's latency and server CPU over the echo
// floor come from. `npm run bench` judges perudo against the echo floor; this splits the
// difference in two with two ablation Workers (bench/baseline/echo-stored.ts,
// bench/baseline/unsaved.ts). Server CPU is the Worker's own workerd per 1,000 actions, idle
// subtracted, as in the bench; two Workers share the cores here, so compare within a row only:
//
//   echo    vs echo-stored   what one synchronous document write before the broadcast costs a
//                            room that does nothing else (the output gate holds the echoes
//                            until the write is durable)
//   unsaved vs perudo        what the room's own write costs it (the same gate)
//   echo    vs unsaved       everything else: parsing, the rules, the per-seat `state` frames
//
// The two Workers of a comparison run at the same time (each with its own wrangler dev and load
// generator), so whatever else the machine does hits both alike; their order alternates by round.
// Each run has R rooms of 6 clients at 1 message per client per second, like the bench's load.
//
//   --rooms <n>     rooms per Worker (default 10)
//   --rounds <n>    runs of each comparison (default 3)
//   --window <s>    measured seconds per run (default 30: p99 over ~1,800 samples)
import { parseArgs } from "node:util";
import { median, round } from "./lib/stats.ts";
import { setStateDir, defaultStateDir, stopAllServers, type WorkerName } from "./lib/servers.ts";
import { measureRoomLoad, type RoomLoadRun } from "./sections/room-load.ts";
import type { LoadTarget } from "./load/types.ts";

interface Side {
  label: string;
  worker: WorkerName;
  target: LoadTarget;
}

const ECHO: Side = { label: "echo", worker: "baseline", target: "baseline" };
const ECHO_STORED: Side = { label: "echo-stored", worker: "echoStored", target: "baseline" };
const UNSAVED: Side = { label: "unsaved", worker: "unsaved", target: "perudo" };
const PERUDO: Side = { label: "perudo", worker: "perudo", target: "perudo" };

const COMPARISONS: { what: string; base: Side; with: Side }[] = [
  { what: "one write before the broadcast, in the echo room", base: ECHO, with: ECHO_STORED },
  { what: "the room's own write", base: UNSAVED, with: PERUDO },
  { what: "everything but the write", base: ECHO, with: UNSAVED },
];

const PERCENTILES = ["p50", "p90", "p99"] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { rooms: { type: "string" }, rounds: { type: "string" }, window: { type: "string" } },
    strict: true,
  });
  const positive = (flag: string, raw: string | undefined, fallback: number) => {
    const value = raw === undefined ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number, got "${raw}"`);
    return value;
  };
  const rooms = Math.round(positive("rooms", values.rooms, 10));
  const rounds = Math.round(positive("rounds", values.rounds, 3));
  const windowMs = positive("window", values.window, 30) * 1000;
  setStateDir(defaultStateDir());

  const run = (side: Side, seed: number) =>
    measureRoomLoad({ target: side.target, worker: side.worker, rooms, clientsPerRoom: 6, warmupMs: 3_000, windowMs, seed });

  console.log(`R=${rooms}, ${windowMs / 1000} s windows, ${rounds} round(s); latency in ms (send -> own echo / own state)\n`);
  for (const comparison of COMPARISONS) {
    const deltas: Record<(typeof PERCENTILES)[number], number[]> = { p50: [], p90: [], p99: [] };
    const cpuDeltas: number[] = [];
    console.log(`## ${comparison.base.label} -> ${comparison.with.label}: ${comparison.what}\n`);
    console.log(
      `| round | ${PERCENTILES.map((p) => `${p} ${comparison.base.label} / ${comparison.with.label} (+)`).join(" | ")} | server CPU s / 1k actions (+) | lost |`,
    );
    console.log(`|---:|${PERCENTILES.map(() => "---|").join("")}---|---:|`);
    for (let index = 0; index < rounds; index++) {
      const sides = index % 2 === 0 ? [comparison.base, comparison.with] : [comparison.with, comparison.base];
      const runs = await Promise.all(sides.map((side) => run(side, rooms + index)));
      const of = (side: Side): RoomLoadRun => runs[sides.indexOf(side)]!;
      const base = of(comparison.base);
      const other = of(comparison.with);
      const cells = PERCENTILES.map((p) => comparisonCell(base.latencyMs[p], other.latencyMs[p], deltas[p]));
      const cpu = comparisonCell(base.serverCpuSecondsPer1000Actions, other.serverCpuSecondsPer1000Actions, cpuDeltas);
      console.log(`| ${index + 1} | ${cells.join(" | ")} | ${cpu} | ${base.lost.total + other.lost.total} |`);
    }
    console.log(`| median | ${PERCENTILES.map((p) => `(${signed(median(deltas[p]))})`).join(" | ")} | (${signed(median(cpuDeltas))}) | |\n`);
  }
}

/** "base / other (+difference)", and the difference kept in `deltas` for the median row. */
function comparisonCell(base: number, other: number, deltas: number[]): string {
  const delta = other - base;
  deltas.push(delta);
  return `${base.toFixed(2)} / ${other.toFixed(2)} (${signed(delta)})`;
}

function signed(value: number): string {
  const rounded = round(value, 2);
  return `${rounded >= 0 ? "+" : ""}${rounded.toFixed(2)}`;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers this run started`);
    void stopAllServers().finally(() => process.exit(130));
  });
}

main()
  .then(() => stopAllServers().then(() => process.exit(0)))
  .catch(async (error: unknown) => {
    await stopAllServers();
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
