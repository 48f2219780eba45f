// The targets, each as measured / baseline = ratio against its limit, met or not.
import { round } from "../lib/stats.ts";
import type { BenchReport, Verdict } from "./types.ts";

export const TARGETS = {
  p99Ratio: 1.25,
  throughputRatio: 0.9,
  cpuRatio: 2,
  bundleGzipBytes: 60 * 1024,
  deployRatio: 1.3,
  baselineP99LimitMs: 50,
  /** Below this much net server CPU in a window, /proc's 10 ms ticks and the idle estimate are noise. */
  cpuResolutionSeconds: 0.5,
} as const;

export function evaluate(report: BenchReport): Verdict[] {
  const verdicts: Verdict[] = [];
  const notMeasured = (target: string, limit: string, reason: string) =>
    verdicts.push({ target, measured: "not measured", ratio: null, limit, met: null, note: reason });

  if (report.load.measured) {
    const load = report.load.data;
    const limitR = load.baselineLimitRooms;
    const judged = load.sizes.filter((s) => s.baseline && s.perudo && limitR !== null && s.rooms <= limitR);
    if (judged.length === 0) {
      const reason = limitR === null ? `the baseline's p99 was over ${load.limitMs} ms at every R measured` : "no R up to the limit has both runs";
      for (const target of ["Room latency p99", "Throughput", "Messages lost", "Server CPU per 1,000 actions"]) notMeasured(target, "-", reason);
    }
    for (const size of judged) {
      const b = size.baseline!;
      const p = size.perudo!;
      const p99 = p.latencyMs.p99 / b.latencyMs.p99;
      verdicts.push({
        target: `Room latency p99, R=${size.rooms}`,
        measured: `${fmtMs(p.latencyMs.p99)} vs ${fmtMs(b.latencyMs.p99)}`,
        ratio: round(p99, 2),
        limit: `<= ${TARGETS.p99Ratio}x`,
        met: p99 <= TARGETS.p99Ratio,
      });
      const throughput = p.actionsPerSecond / b.actionsPerSecond;
      verdicts.push({
        target: `Throughput, R=${size.rooms}`,
        measured: `${p.actionsPerSecond.toFixed(1)} vs ${b.actionsPerSecond.toFixed(1)} /s`,
        ratio: round(throughput, 2),
        limit: `>= ${TARGETS.throughputRatio}x`,
        met: throughput >= TARGETS.throughputRatio,
      });
      verdicts.push({
        target: `Messages lost, R=${size.rooms}`,
        measured: `${p.lost.total} (baseline ${b.lost.total})`,
        ratio: null,
        limit: "0",
        met: p.lost.total === 0,
      });
      const cpu = p.serverCpuSecondsPer1000Actions / b.serverCpuSecondsPer1000Actions;
      const resolved = Math.min(p.netServerCpuSeconds, b.netServerCpuSeconds) >= TARGETS.cpuResolutionSeconds;
      verdicts.push({
        target: `Server CPU per 1,000 actions, R=${size.rooms}`,
        measured: `${p.serverCpuSecondsPer1000Actions.toFixed(2)} s vs ${b.serverCpuSecondsPer1000Actions.toFixed(2)} s`,
        ratio: resolved ? round(cpu, 2) : null,
        limit: `<= ${TARGETS.cpuRatio}x`,
        met: resolved ? cpu <= TARGETS.cpuRatio : null,
        note: resolved
          ? "idle CPU of the wrangler tree subtracted"
          : `under ${TARGETS.cpuResolutionSeconds} CPU s of load in the window: below what /proc can resolve`,
      });
    }
  } else {
    for (const target of ["Room latency p99", "Throughput", "Messages lost", "Server CPU per 1,000 actions"]) {
      notMeasured(target, "-", report.load.reason);
    }
  }

  if (report.cost.measured) {
    const cost = report.cost.data;
    const accepted = cost.accepted.writeOps;
    verdicts.push({
      target: "Storage writes per accepted action",
      measured: `min ${accepted.min}, max ${accepted.max} over ${cost.accepted.count} actions`,
      ratio: null,
      limit: "exactly 1",
      met: cost.accepted.count > 0 && accepted.min === 1 && accepted.max === 1,
    });
    verdicts.push({
      target: "Storage writes per refused action",
      measured: `${cost.refused.writeOps.total} over ${cost.refused.count} actions`,
      ratio: null,
      limit: "0",
      met: cost.refused.count > 0 && cost.refused.writeOps.total === 0,
    });
    verdicts.push({
      target: "Storage writes in a reconnect storm",
      measured: `${cost.reconnectStorm.writeOps} writes, ${cost.reconnectStorm.alarmsSet} alarms (${cost.reconnectStorm.clients} clients)`,
      ratio: null,
      limit: "0",
      met: cost.reconnectStorm.writeOps === 0 && cost.reconnectStorm.alarmsSet === 0,
    });
  } else {
    notMeasured("Storage writes per action", "-", report.cost.reason);
  }

  if (report.bundle.measured) {
    const { perudo, baseline } = report.bundle.data;
    verdicts.push({
      target: "Bundle size (gzip)",
      measured: `${kb(perudo.gzipBytes)} (baseline ${kb(baseline.gzipBytes)})`,
      ratio: round(perudo.gzipBytes / baseline.gzipBytes, 2),
      limit: `<= ${kb(TARGETS.bundleGzipBytes)}`,
      met: perudo.gzipBytes <= TARGETS.bundleGzipBytes,
      note: "ratio is against the echo baseline, for context",
    });
  } else {
    notMeasured("Bundle size (gzip)", `<= ${kb(TARGETS.bundleGzipBytes)}`, report.bundle.reason);
  }

  if (report.deploy.measured) {
    const deploy = report.deploy.data;
    verdicts.push({
      target: "Deploy overhead",
      measured: `${(deploy.cli.medianMs / 1000).toFixed(1)} s vs ${(deploy.bare.medianMs / 1000).toFixed(1)} s (median of ${deploy.runs})`,
      ratio: deploy.ratio,
      limit: `<= ${TARGETS.deployRatio}x`,
      met: deploy.ratio <= TARGETS.deployRatio,
    });
  } else {
    notMeasured("Deploy overhead", `<= ${TARGETS.deployRatio}x`, report.deploy.reason);
  }
  return verdicts;
}

function fmtMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

export function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
