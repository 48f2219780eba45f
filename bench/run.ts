// npm run bench [-- flags]: measures perudo-vibe against baselines measured in the same run, on
// this machine, and writes bench/results/<stamp>.{json,md} plus SVG plots. See docs/performance.md.
//
//   --quick            smallest size (R=1, short window, 1 game, 1 pair), no deploy section
//   --sizes 10,100     room counts to measure (default 10,100,300)
//   --pairs <n>        paired runs (echo floor, then perudo) per size whose floor p99 stays within
//                      25 ms (default 3; --quick 1); a saturated size gets one pair, as information
//   --search           then search upward for the R where the floor's p99 crosses 50 ms
//   --no-search        (the default) only the given sizes
//   --window <s>       measured seconds per load run (default 12; --quick 3), at least: a window
//                      lasts until it holds 2,000 answered actions (R=10: 34 s), not with --quick
//   --budget <s>       global time budget in seconds (default 900); sections that would not fit
//                      are skipped with the reason, and a watchdog stops everything at the limit
//   --max-rooms <n>    upper bound of the search (default 2000)
//   --skip <list>      comma list of: load, cost, bundle, deploy, wake
//   --deploy-runs <n>  runs of each deploy command (default 5)
//   --out <dir>        where to write the report (default bench/results)
//   --state-dir <dir>  where local Durable Object storage lives (default /dev/shm when writable:
//                      workerd's local SQLite fsyncs every write, and a shared disk's fsync
//                      latency is not what production storage costs)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { PROJECT_ROOT } from "../test/support/dev-server.ts";
import { defaultStateDir, setStateDir, stopAllServers } from "./lib/servers.ts";
import { median, round } from "./lib/stats.ts";
import { render, verdictTable } from "./report/markdown.ts";
import { evaluate, TARGETS } from "./report/targets.ts";
import type { BenchReport, LoadSection, Section, StartupSection } from "./report/types.ts";
import { measureBundles } from "./sections/bundle.ts";
import { estimate, measureCost } from "./sections/cost.ts";
import { deployUnavailable, measureDeploy } from "./sections/deploy.ts";
import { measureRoomLoad, MESSAGES_PER_CLIENT_PER_SECOND, type RoomLoadRun } from "./sections/room-load.ts";

/** Answered actions a latency window must hold (see measureLoad). */
const MIN_LATENCY_SAMPLES = 2_000;
import { measureWake } from "./sections/wake.ts";

const SECTIONS = ["load", "cost", "bundle", "deploy", "wake"] as const;
type SectionName = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  sizes: number[];
  search: boolean;
  pairs: number;
  windowSeconds: number;
  warmupSeconds: number;
  budgetSeconds: number;
  maxRooms: number;
  skip: Set<SectionName>;
  deployRuns: number;
  costGames: number;
  out: string;
  stateDir: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      sizes: { type: "string" },
      search: { type: "boolean", default: false },
      "no-search": { type: "boolean", default: false },
      pairs: { type: "string" },
      window: { type: "string" },
      budget: { type: "string" },
      "max-rooms": { type: "string" },
      skip: { type: "string" },
      "deploy-runs": { type: "string" },
      out: { type: "string" },
      "state-dir": { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    const source = readFileSync(new URL(import.meta.url), "utf8").split("\n");
    console.log(source.slice(0, source.findIndex((line) => !line.startsWith("//"))).join("\n"));
    process.exit(0);
  }
  const quick = values.quick;
  const number = (flag: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${flag} must be a positive number, got "${raw}"`);
    return value;
  };
  const sizes = values.sizes
    ? values.sizes.split(",").map((s) => Math.round(number("sizes", s.trim(), 0)))
    : quick
      ? [1]
      : [10, 100, 300];
  const skip = new Set<SectionName>();
  for (const name of (values.skip ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    if (!(SECTIONS as readonly string[]).includes(name)) throw new UsageError(`--skip: unknown section "${name}" (one of ${SECTIONS.join(", ")})`);
    skip.add(name as SectionName);
  }
  return {
    quick,
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    search: !quick && values.search && !values["no-search"],
    pairs: Math.round(number("pairs", values.pairs, quick ? 1 : 3)),
    windowSeconds: number("window", values.window, quick ? 3 : 12),
    warmupSeconds: quick ? 1 : 3,
    budgetSeconds: number("budget", values.budget, 900),
    maxRooms: number("max-rooms", values["max-rooms"], 2000),
    skip,
    deployRuns: Math.round(number("deploy-runs", values["deploy-runs"], 5)),
    costGames: quick ? 1 : 2,
    out: path.resolve(values.out ?? path.join(PROJECT_ROOT, "bench/results")),
    stateDir: path.resolve(values["state-dir"] ?? defaultStateDir()),
  };
}

class UsageError extends Error {}

// ------------------------------------------------------------------------------ the run

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  setStateDir(options.stateDir);
  const started = new Date();
  const t0 = performance.now();
  const deadline = t0 + options.budgetSeconds * 1000;
  const remaining = () => (deadline - performance.now()) / 1000;
  const stamp = started.toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
  const log = (message: string) => console.error(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${message}`);

  const report: BenchReport = {
    version: 1,
    startedAt: started.toISOString(),
    finishedAt: "",
    durationSeconds: 0,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`,
    options: { ...options, skip: [...options.skip] },
    machine: machine(),
    git: gitState(),
    load: { measured: false, reason: "not run" },
    cost: { measured: false, reason: "not run" },
    bundle: { measured: false, reason: "not run" },
    startup: { measured: false, reason: "not run" },
    deploy: { measured: false, reason: "not run" },
    wake: { measured: false, reason: "not run" },
    verdicts: [],
  };

  const write = () => {
    report.finishedAt = new Date().toISOString();
    report.durationSeconds = round((performance.now() - t0) / 1000, 1);
    report.verdicts = evaluate(report);
    mkdirSync(options.out, { recursive: true });
    const jsonFile = path.join(options.out, `${stamp}.json`);
    writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
    const rendered = render(report, stamp);
    writeFileSync(path.join(options.out, `${stamp}.md`), `${rendered.markdown}\n`);
    for (const [file, svg] of Object.entries(rendered.svgs)) writeFileSync(path.join(options.out, file), svg);
    return jsonFile;
  };

  // Hard stop: whatever is still running when the budget is gone is abandoned, with a report.
  const watchdog = setTimeout(() => {
    report.aborted = `time budget of ${options.budgetSeconds} s exceeded; sections still running were abandoned`;
    log(report.aborted);
    const file = write();
    console.log(verdictTable(report.verdicts));
    console.log(`\nreport (partial): ${file}`);
    void stopAllServers().finally(() => process.exit(3));
  }, (options.budgetSeconds + 15) * 1000);
  watchdog.unref();

  const section = async <T>(name: SectionName, estimateSeconds: number, run: () => Promise<T>): Promise<Section<T>> => {
    if (options.skip.has(name)) return { measured: false, reason: `skipped (--skip ${name})` };
    if (remaining() < estimateSeconds) return { measured: false, reason: `time budget: ~${estimateSeconds} s needed, ${remaining().toFixed(0)} s left` };
    log(`${name}...`);
    try {
      return { measured: true, data: await run() };
    } catch (error) {
      log(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      return { measured: false, reason: `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}` };
    } finally {
      await stopAllServers();
    }
  };

  report.bundle = await section("bundle", 30, () => measureBundles());
  report.cost = await section("cost", options.quick ? 25 : 60, () =>
    measureCost({ games: options.costGames, seed: 1, maxPlayActions: options.quick ? 40 : Number.POSITIVE_INFINITY }),
  );
  if (options.quick) report.deploy = { measured: false, reason: "skipped by --quick" };
  else {
    const unavailable = deployUnavailable();
    report.deploy = unavailable
      ? { measured: false, reason: unavailable }
      : await section("deploy", 40, () =>
          // At most ~2 minutes, so the load runs keep their share of the budget.
          measureDeploy({ runs: options.deployRuns, deadline: Math.min(deadline - 300_000, performance.now() + 110_000) }),
        );
  }
  // Before the load runs, which take whatever budget is left.
  report.wake = await section("wake", 40, () => measureWake({ rooms: options.quick ? 2 : 5 }));
  report.load = await section("load", 30, () => measureLoad(options, remaining, log));
  report.startup = startupFrom(report.load);

  // The cost's DO duration is better estimated from the load runs' CPU per action (no counter
  // reads in them) when one has enough CPU to resolve: the largest R up to the limit.
  if (report.cost.measured && report.load.measured) {
    const judged = (s: LoadSection["sizes"][number]) =>
      s.baseline !== null && s.baseline.latencyMs.p99 <= TARGETS.judgedFloorP99Ms;
    const resolved = report.load.data.sizes
      .flatMap((s) => (s.perudo && judged(s) && s.perudo.netServerCpuSeconds >= TARGETS.cpuResolutionSeconds ? [s.perudo] : []))
      .pop();
    if (resolved) {
      report.cost.data.dollars = estimate(
        report.cost.data.perGame,
        resolved.serverCpuSecondsPer1000Actions / 1000,
        `the Worker's workerd CPU per action in the R=${resolved.rooms} load run (idle subtracted)`,
      );
    }
  }

  clearTimeout(watchdog);
  const file = write();
  console.log(`\n${verdictTable(report.verdicts)}\n`);
  if (report.load.measured) {
    console.log("| R | Worker | p50 | p99 | actions/s | lost | CPU s/1k | RSS MB |\n|---:|---|---:|---:|---:|---:|---:|---:|");
    for (const size of report.load.data.sizes) {
      for (const run of [size.baseline, size.perudo]) {
        if (run) {
          console.log(
            `| ${size.rooms} | ${run.target} | ${run.latencyMs.p50.toFixed(1)} | ${run.latencyMs.p99.toFixed(1)} | ${run.actionsPerSecond.toFixed(1)} | ${run.lost.total} | ${run.serverCpuSecondsPer1000Actions.toFixed(2)} | ${(run.peakRssBytes / 2 ** 20).toFixed(0)} |`,
          );
        }
      }
    }
  }
  console.log(`\nreport: ${file}\n        ${file.replace(/\.json$/, ".md")}\n(${report.durationSeconds} s)`);
  return 0;
}

// ------------------------------------------------------------------------------ load + search

async function measureLoad(options: Options, remaining: () => number, log: (m: string) => void): Promise<LoadSection> {
  const section: LoadSection = {
    clientsPerRoom: 6,
    warmupSeconds: options.warmupSeconds,
    windowSeconds: options.windowSeconds,
    sizes: [],
    baselineLimitRooms: null,
    limitMs: TARGETS.baselineP99LimitMs,
    search: [],
    pairsPerSize: options.pairs,
    judgedFloorP99Ms: TARGETS.judgedFloorP99Ms,
  };
  const sizeEntry = (rooms: number) => {
    let entry = section.sizes.find((s) => s.rooms === rooms);
    if (!entry) {
      entry = { rooms, baseline: null, perudo: null };
      section.sizes.push(entry);
      section.sizes.sort((a, b) => a.rooms - b.rooms);
    }
    return entry;
  };
  // A p99 over a few hundred answers moves by +-3 ms from run to run on this kind of VM (R = 10
  // at 12 s is ~720 answers: the p99 is their 7th slowest). A window lasts until it holds
  // MIN_LATENCY_SAMPLES answers, so the p99 rests on ~20 samples above it; --quick keeps its 3 s.
  const windowSeconds = (rooms: number) =>
    options.quick
      ? options.windowSeconds
      : Math.max(options.windowSeconds, Math.ceil(MIN_LATENCY_SAMPLES / (rooms * section.clientsPerRoom * MESSAGES_PER_CLIENT_PER_SECOND)));
  // wrangler start + idle sample + connecting + warm-up + window + drain + stop
  const runSeconds = (rooms: number) => 16 + options.warmupSeconds + windowSeconds(rooms) + rooms * 0.03;
  const measure = async (target: "baseline" | "perudo", rooms: number): Promise<RoomLoadRun | null> => {
    const entry = sizeEntry(rooms);
    if (remaining() < runSeconds(rooms)) {
      entry.skipped = `time budget (${remaining().toFixed(0)} s left)`;
      log(`load ${target} R=${rooms}: skipped, ${entry.skipped}`);
      return null;
    }
    log(`load ${target} R=${rooms}...`);
    let run: RoomLoadRun;
    try {
      run = await measureRoomLoad({
        target,
        rooms,
        clientsPerRoom: 6,
        warmupMs: options.warmupSeconds * 1000,
        windowMs: windowSeconds(rooms) * 1000,
        seed: rooms,
      });
    } catch (error) {
      // One size failing (e.g. connections refused at a large R) must not lose the others.
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      entry.skipped = `${target} failed: ${message}`;
      log(`load ${target} R=${rooms}: ${entry.skipped}`);
      return null;
    }
    entry[target] = run;
    log(`  p50 ${run.latencyMs.p50.toFixed(1)} ms, p99 ${run.latencyMs.p99.toFixed(1)} ms, ${run.actionsPerSecond.toFixed(1)}/s, lost ${run.lost.total}`);
    return run;
  };
  const under = (run: RoomLoadRun | null) => run !== null && run.latencyMs.p99 < TARGETS.baselineP99LimitMs;

  // Paired runs, alternating floor and room, so a drift in the machine's load hits both alike.
  // A size whose first floor p99 is over the judged limit is saturated: one pair, as information.
  const measurePairs = async (rooms: number, baselineRun?: RoomLoadRun) => {
    const entry = sizeEntry(rooms);
    const pairs: { baseline: RoomLoadRun; perudo: RoomLoadRun }[] = [];
    for (let i = 0; i < options.pairs; i++) {
      const baseline = i === 0 && baselineRun ? baselineRun : await measure("baseline", rooms);
      if (!baseline) break;
      const perudo = await measure("perudo", rooms);
      if (!perudo) break;
      pairs.push({ baseline, perudo });
      if (baseline.latencyMs.p99 > TARGETS.judgedFloorP99Ms) break;
    }
    entry.pairs = pairs;
    if (pairs.length > 0) {
      // The tables and plots show the pair whose p99 ratio is the median one.
      const byRatio = [...pairs].sort(
        (a, b) => a.perudo.latencyMs.p99 / a.baseline.latencyMs.p99 - b.perudo.latencyMs.p99 / b.baseline.latencyMs.p99,
      );
      const middle = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
      entry.baseline = middle.baseline;
      entry.perudo = middle.perudo;
    }
  };

  for (const rooms of options.sizes) await measurePairs(rooms);

  if (options.search) {
    // Upward from the largest size measured while the baseline stays under the limit; then bisect
    // (at most twice) between the last size under it and the first over it. Bounded by
    // --max-rooms and the time budget.
    const passed = () => section.sizes.filter((s) => under(s.baseline)).map((s) => s.rooms);
    const failed = () => section.sizes.filter((s) => s.baseline && !under(s.baseline)).map((s) => s.rooms);
    let rooms = Math.max(...options.sizes);
    while (failed().length === 0 && rooms < options.maxRooms) {
      rooms = Math.min(options.maxRooms, Math.round(rooms * 1.6));
      const run = await measure("baseline", rooms);
      if (!run) break;
      section.search.push(`R=${rooms}: baseline p99 ${run.latencyMs.p99.toFixed(1)} ms`);
    }
    for (let step = 0; step < 2; step++) {
      const lo = Math.max(0, ...passed());
      const hi = Math.min(...failed());
      if (!Number.isFinite(hi) || hi - lo <= Math.max(10, lo * 0.25)) break;
      const mid = Math.round((lo + hi) / 2);
      const run = await measure("baseline", mid);
      if (!run) break;
      section.search.push(`bisect R=${mid}: baseline p99 ${run.latencyMs.p99.toFixed(1)} ms`);
    }
  }
  const passing = section.sizes.filter((s) => under(s.baseline)).map((s) => s.rooms);
  section.baselineLimitRooms = passing.length > 0 ? Math.max(...passing) : null;
  const limit = section.baselineLimitRooms;
  if (limit !== null && !sizeEntry(limit).perudo) await measurePairs(limit, sizeEntry(limit).baseline ?? undefined);
  section.sizes = section.sizes.filter((s) => s.baseline || s.perudo || s.skipped);
  return section;
}

function startupFrom(load: Section<LoadSection>): Section<StartupSection> {
  if (!load.measured) return { measured: false, reason: `measured during the load runs, which did not run (${load.reason})` };
  const of = (target: "baseline" | "perudo") => {
    const runs = load.data.sizes.flatMap((s) => (s.pairs?.length ? s.pairs.map((pair) => pair[target]) : s[target] ? [s[target]!] : []));
    const spawn = runs.map((r) => r.spawnToHealthMs);
    const ready = runs.map((r) => r.readyToHealthMs);
    return { spawnToHealthMs: spawn, readyToHealthMs: ready, medianSpawnToHealthMs: median(spawn), medianReadyToHealthMs: median(ready) };
  };
  const perudo = of("perudo");
  const baseline = of("baseline");
  if (perudo.spawnToHealthMs.length === 0 || baseline.spawnToHealthMs.length === 0) {
    return { measured: false, reason: "no load run started both Workers" };
  }
  return { measured: true, data: { perudo, baseline, ratio: round(perudo.medianSpawnToHealthMs / baseline.medianSpawnToHealthMs, 2) } };
}

// ------------------------------------------------------------------------------ context

function machine(): BenchReport["machine"] {
  const cpus = os.cpus();
  let wrangler = "?";
  try {
    wrangler = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "node_modules/wrangler/package.json"), "utf8")) as { version: string }).version;
  } catch {
    // not installed
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "?",
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    wrangler,
    loadAverageAtStart: os.loadavg().map((l) => round(l, 2)),
    note:
      "The load generator runs on the same cores as the server (loopback only); it is a separate process, so its CPU is reported separately and not counted as the server's. Other work on the machine shows up as noise in every number.",
  };
}

function gitState(): BenchReport["git"] {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8" }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: PROJECT_ROOT, encoding: "utf8" });
    return { commit, dirty: status.trim() !== "" };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}

// ------------------------------------------------------------------------------ entry

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers this bench started`);
    void stopAllServers().finally(() => process.exit(130));
  });
}

main()
  .then((code) => stopAllServers().then(() => process.exit(code)))
  .catch(async (error: unknown) => {
    await stopAllServers();
    if (error instanceof UsageError) {
      console.error(`${error.message}\nRun \`npm run bench -- --help\` for the flags.`);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  });
