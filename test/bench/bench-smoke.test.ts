// `npm run bench -- --quick` end to end, so the harness cannot rot: R=1 for a few seconds, one
// cut-short game, both bundles, no deploy section. Asserts the report's shape and correctness
// signals (nothing lost, writes attributed), never wall-clock thresholds: this machine is shared.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../../bench/report/types.ts";
import { PROJECT_ROOT } from "../support/dev-server.ts";

const TSC = path.join(PROJECT_ROOT, "node_modules/.bin/tsc");

function run(bin: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("close", (code) => resolve({ code, output }));
  });
}

describe("npm run bench -- --quick", () => {
  let out: string;
  let result: { code: number | null; output: string };
  let report: BenchReport;

  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), "perudo-bench-smoke-"));
    result = await run(process.execPath, ["bench/run.ts", "--quick", "--out", out]);
    const json = readdirSync(out).find((file) => file.endsWith(".json"));
    if (result.code !== 0 || !json) throw new Error(`bench --quick failed (exit ${result.code}):\n${result.output}`);
    report = JSON.parse(readFileSync(path.join(out, json), "utf8")) as BenchReport;
  }, 300_000);

  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("measures both Workers under load at R=1 and loses no message", () => {
    if (!report.load.measured) throw new Error(`load not measured: ${report.load.reason}`);
    const [size] = report.load.data.sizes;
    expect(size?.rooms).toBe(1);
    for (const run of [size?.baseline, size?.perudo]) {
      expect(run).toBeTruthy();
      expect(run!.answeredInWindow).toBeGreaterThan(0);
      expect(run!.latencyMs.count).toBe(run!.answeredInWindow);
      expect(run!.lost).toEqual({ unanswered: 0, deliveries: 0, total: 0 });
      expect(run!.connectErrors).toBe(0);
      expect(run!.peakRssBytes).toBeGreaterThan(0);
      // Server CPU is the Worker's own workerd, found in the wrangler dev tree: part of the tree,
      // never all of it (wrangler and its dev proxy run beside it).
      expect(Number.isFinite(run!.serverCpuSeconds)).toBe(true);
      expect(run!.serverCpuSeconds).toBeGreaterThan(0);
      expect(run!.serverCpuSeconds).toBeLessThan(run!.devTree.cpuSeconds);
    }
    // The bots play: their actions are accepted, not refused.
    expect(size!.perudo!.refusedInWindow).toBe(0);
    // --quick: one pair, floor first, and the tables show that pair.
    expect(size!.pairs).toHaveLength(1);
    expect(size!.pairs![0]).toEqual({ baseline: size!.baseline, perudo: size!.perudo });
  });

  it("times a new room's cold start and a room's wake-up after a restart, for both Workers", () => {
    if (!report.wake.measured) throw new Error(`wake not measured: ${report.wake.reason}`);
    const wake = report.wake.data;
    for (const figures of [wake.perudo, wake.baseline]) {
      expect(figures.coldStartMs).toHaveLength(wake.rooms);
      expect(figures.wakeUpMs).toHaveLength(wake.rooms);
      expect(figures.medianWakeUpMs).toBeGreaterThan(0);
    }
    expect(wake.wakeUpRatio).toBeGreaterThan(0);
    expect(report.verdicts.map((v) => v.target)).toEqual(expect.arrayContaining(["Cold start of a new room", "Wake-up after a restart"]));
  });

  it("attributes storage to actions, refusals and a reconnect storm", () => {
    if (!report.cost.measured) throw new Error(`cost not measured: ${report.cost.reason}`);
    const cost = report.cost.data;
    expect(cost.accepted.count).toBeGreaterThan(6);
    expect(cost.refused.count).toBeGreaterThan(0);
    expect(cost.perGame.rowsWritten).toBeGreaterThan(0);
    expect(cost.reconnectStorm.wsIn).toBe(cost.reconnectStorm.clients);
    expect(cost.refusedWhilePlaying).toEqual({});
    expect(Object.values(cost.unattributedInFirstGame).every((n) => n === 0)).toBe(true);
    expect(cost.dollars.per1000Games).toBeGreaterThan(0);
  });

  it("reports both bundles with what they are made of", () => {
    if (!report.bundle.measured) throw new Error(`bundle not measured: ${report.bundle.reason}`);
    const { perudo, baseline } = report.bundle.data;
    for (const bundle of [perudo, baseline]) {
      expect(bundle.gzipBytes).toBeGreaterThan(0);
      expect(bundle.gzipBytes).toBeLessThan(bundle.minifiedBytes);
      expect(bundle.byPackage.map((input) => input.name)).toContain("partyserver");
    }
    expect(perudo.byPackage.some((input) => input.name.startsWith("party/"))).toBe(true);
  });

  it("writes the verdict table, the markdown report and its plots", () => {
    expect(report.deploy).toEqual({ measured: false, reason: "skipped by --quick" });
    expect(report.startup.measured).toBe(true);
    expect(report.verdicts.map((v) => v.target)).toEqual(
      expect.arrayContaining(["Room latency p99, R=1", "Storage writes per accepted action", "Bundle size (gzip)", "Deploy overhead"]),
    );
    expect(result.output).toContain("| target | measured (perudo vs baseline) | ratio | limit | verdict |");
    const files = readdirSync(out);
    const markdown = readFileSync(path.join(out, files.find((f) => f.endsWith(".md"))!), "utf8");
    expect(markdown).toContain("## Targets");
    for (const plot of ["latency", "cpu", "bundle"]) {
      const svg = files.find((f) => f.endsWith(`-${plot}.svg`));
      expect(svg, plot).toBeTruthy();
      expect(markdown).toContain(`](${svg})`);
      expect(readFileSync(path.join(out, svg!), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
    }
  });
});

describe("bench Workers (bench/baseline)", () => {
  it("typecheck with the Workers types", async () => {
    const { code, output } = await run(TSC, ["-p", "bench/baseline/tsconfig.json"]);
    expect(output).toBe("");
    expect(code).toBe(0);
  }, 120_000);
});
