// Renders the report as a short markdown page (tables first, details after) and its SVG plots.
import { lineChart, barChart } from "./svg.ts";
import { round } from "../lib/stats.ts";
import { kb } from "./targets.ts";
import type { BenchReport, Verdict } from "./types.ts";

export interface RenderedReport {
  markdown: string;
  /** file name (next to the markdown) -> SVG text */
  svgs: Record<string, string>;
}

export function render(report: BenchReport, stamp: string): RenderedReport {
  const svgs: Record<string, string> = {};
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);

  push(`# perudo-vibe bench, ${report.startedAt}`, "");
  push(
    `\`${report.command}\` on ${report.machine.cpus} cores (${report.machine.cpuModel}), ${report.machine.memoryGb} GB, Node ${report.machine.node}, wrangler ${report.machine.wrangler}; commit ${report.git.commit}${report.git.dirty ? " (dirty)" : ""}; ${report.durationSeconds.toFixed(0)} s in total; load average at start ${report.machine.loadAverageAtStart.map((l) => l.toFixed(2)).join(" ")}.`,
    "",
    `> ${report.machine.note}`,
    "",
  );
  if (report.aborted) push(`**Aborted:** ${report.aborted}`, "");

  push("## Targets", "", verdictTable(report.verdicts), "");

  // ---------------------------------------------------------------- load
  push("## Room load", "");
  if (!report.load.measured) push(`Not measured: ${report.load.reason}`, "");
  else {
    const load = report.load.data;
    push(
      `${load.clientsPerRoom} clients per room, 1 message per client per second (the bot on turn plays; the echo room round-robins), ${load.warmupSeconds} s warm-up, ${load.windowSeconds} s measured (longer at small R: a window lasts until it holds 2,000 answered actions, so that its p99 rests on ~20 samples; R = 10: 34 s). Latency: send -> own echo (baseline) or send -> own \`state\`/\`error\` (perudo). Server CPU: the Worker's own workerd process from /proc, idle rate subtracted (production runs no dev proxy); dev tree CPU: the whole \`wrangler dev\` process tree (wrangler, its dev proxy workerd that relays every frame, its esbuild watcher and the Worker's workerd), as information. Local Durable Object storage in \`${String(report.options["stateDir"])}\`. Largest R with baseline p99 < ${load.limitMs} ms: **${load.baselineLimitRooms ?? "none"}**.`,
      "",
      "| R | Worker | p50 ms | p90 ms | p99 ms | max ms | actions/s (offered) | lost | server CPU s / 1k | dev tree CPU s / 1k | peak RSS MB | load-gen CPU s / 1k |",
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const size of load.sizes) {
      const runs = size.pairs?.length ? size.pairs.flatMap((pair) => [pair.baseline, pair.perudo]) : [size.baseline, size.perudo];
      for (const run of runs) {
        if (!run) continue;
        const reloaded = run.serverReloads > 0 ? ` (wrangler reloaded ${run.serverReloads}x: sources changed mid-run)` : "";
        push(
          `| ${size.rooms} | ${run.target}${reloaded} | ${f(run.latencyMs.p50)} | ${f(run.latencyMs.p90)} | ${f(run.latencyMs.p99)} | ${f(run.latencyMs.max)} | ${run.actionsPerSecond.toFixed(1)} (${run.offeredPerSecond}) | ${run.lost.total}${run.lateAnswers > 0 ? ` (${run.lateAnswers} late)` : ""} | ${run.serverCpuSecondsPer1000Actions.toFixed(2)} | ${run.devTree.cpuSecondsPer1000Actions.toFixed(2)} | ${(run.peakRssBytes / 2 ** 20).toFixed(0)} | ${run.generatorCpuSecondsPer1000Actions.toFixed(2)} |`,
        );
      }
      if (size.skipped) push(`| ${size.rooms} | - | ${size.skipped} | | | | | | | | | |`);
    }
    push(
      "",
      `Runs in the order they ran: up to ${load.pairsPerSize} pairs (echo floor, then perudo) per R; an R whose floor p99 is over ${load.judgedFloorP99Ms} ms gets one pair and is shown as information. The plots use each R's median pair. Search: ${load.search.join("; ") || "none"}.`,
      "",
    );
    const series = (target: "baseline" | "perudo", key: "p50" | "p99", color: string, dashed: boolean) => ({
      name: `${target} ${key}`,
      color,
      dashed,
      points: load.sizes.flatMap((s) => {
        const run = s[target];
        return run ? [{ x: s.rooms, y: run.latencyMs[key] }] : [];
      }),
    });
    svgs[`${stamp}-latency.svg`] = lineChart({
      title: "Latency percentiles against load",
      xLabel: "rooms (x6 clients, 1 msg/s each)",
      yLabel: "ms",
      logX: true,
      reference: { y: load.limitMs, label: `${load.limitMs} ms` },
      series: [
        series("baseline", "p50", "#888", true),
        series("baseline", "p99", "#333", false),
        series("perudo", "p50", "#e07b39", true),
        series("perudo", "p99", "#c0392b", false),
      ],
    });
    svgs[`${stamp}-cpu.svg`] = lineChart({
      title: "Server CPU seconds per 1,000 actions",
      xLabel: "rooms",
      yLabel: "CPU s / 1,000 actions",
      logX: true,
      series: (["baseline", "perudo"] as const).map((target, i) => ({
        name: target,
        color: i === 0 ? "#333" : "#c0392b",
        points: load.sizes.flatMap((s) => (s[target] ? [{ x: s.rooms, y: s[target]!.serverCpuSecondsPer1000Actions }] : [])),
      })),
    });
    push(`![latency](${stamp}-latency.svg)`, "", `![cpu](${stamp}-cpu.svg)`, "");
  }

  // ---------------------------------------------------------------- cost
  push("## Cost per game", "");
  if (!report.cost.measured) push(`Not measured: ${report.cost.reason}`, "");
  else {
    const cost = report.cost.data;
    const g = cost.perGame;
    push(
      `${cost.completeGames ? "" : "**Partial games (--quick): per-game figures are for cut-short games.** "}${cost.games} six-player game(s) played by the bots against the storage-counting build (bench/baseline/counted.ts); per game: ${g.acceptedActions} accepted actions, ${g.refusedActions} refused, ${g.writeOps} storage writes, **${g.rowsWritten} rows written**, ${g.rowsRead} rows read, ${g.alarmsSet} alarms set, ${g.alarmsFired} alarms fired, ${g.wsIn} WebSocket messages in, ${g.wsOut} out, ${g.connections} connections, ${g.storedBytes} bytes stored at the end.`,
      "",
      `Accepted actions: ${cost.accepted.count}, writes per action min ${cost.accepted.writeOps.min} / max ${cost.accepted.writeOps.max}, rows written per action mean ${cost.accepted.rowsWritten.mean} (setAlarm counts as a row), ${cost.accepted.wsOutPerAction} frames out per action. Refused actions: ${cost.refused.count} (${Object.entries(cost.refused.codes).map(([c, n]) => `${c} ${n}`).join(", ")}), ${cost.refused.writeOps.total} writes. First connection to a new room: ${cost.firstConnect.writeOps} write(s), ${cost.firstConnect.alarmsSet} alarm(s). Reconnect storm (${cost.reconnectStorm.clients} clients drop and rejoin with their seat token): ${cost.reconnectStorm.writeOps} writes, ${cost.reconnectStorm.alarmsSet} alarms, ${cost.reconnectStorm.wsOut} frames out.`,
      "",
      `**1,000 six-player games: $${cost.dollars.per1000Games.toFixed(4)}** at Cloudflare's published prices (retrieved ${cost.dollars.prices.retrieved} from ${cost.dollars.prices.sources.join(" and ")}):`,
      "",
      "| item | units per 1,000 games | $ | how |",
      "|---|---:|---:|---|",
      ...Object.entries(cost.dollars.breakdown).map(
        ([name, item]) => `| ${name} | ${item.units.toLocaleString("en-US")} | ${item.dollars.toFixed(6)} | ${item.note} |`,
      ),
      "",
      ...cost.dollars.assumptions.map((a) => `- ${a}`),
      "",
    );
  }

  // ---------------------------------------------------------------- bundle
  push("## Bundle", "");
  if (!report.bundle.measured) push(`Not measured: ${report.bundle.reason}`, "");
  else {
    const { perudo, baseline } = report.bundle.data;
    push(
      "`wrangler deploy --dry-run --minify --metafile` (what would be uploaded):",
      "",
      "| Worker | minified | gzip | wrangler says |",
      "|---|---:|---:|---|",
      `| perudo-vibe | ${kb(perudo.minifiedBytes)} | ${kb(perudo.gzipBytes)} | ${perudo.wranglerSummary ?? ""} |`,
      `| echo baseline | ${kb(baseline.minifiedBytes)} | ${kb(baseline.gzipBytes)} | ${baseline.wranglerSummary ?? ""} |`,
      "",
      "What perudo-vibe's bundle is made of (minified bytes in the output, by package):",
      "",
      "| input | bytes | share |",
      "|---|---:|---:|",
      ...perudo.byPackage.map((i) => `| ${i.name} | ${i.bytes.toLocaleString("en-US")} | ${(i.share * 100).toFixed(1)}% |`),
      "",
      "Largest single files: " + perudo.topFiles.slice(0, 5).map((i) => `${i.name} (${kb(i.bytes)})`).join(", ") + ".",
      "",
      `![bundle](${stamp}-bundle.svg)`,
      "",
    );
    svgs[`${stamp}-bundle.svg`] = barChart({
      title: "perudo-vibe bundle by package (minified KB)",
      unit: "KB",
      bars: perudo.byPackage.slice(0, 10).map((i) => ({ label: i.name, value: Math.round(i.bytes / 102.4) / 10 })),
    });
  }

  // ---------------------------------------------------------------- startup
  push("## Startup", "");
  if (!report.startup.measured) push(`Not measured: ${report.startup.reason}`, "");
  else {
    const s = report.startup.data;
    push(
      "Median over every `wrangler dev` start of the run. Spawn -> first 200 on /health includes wrangler's own start and esbuild; \"Ready on\" -> first 200 is closer to the Worker's own start in workerd.",
      "",
      "| Worker | starts | spawn -> /health 200 (median ms) | ready -> /health 200 (median ms) |",
      "|---|---:|---:|---:|",
      `| perudo-vibe | ${s.perudo.spawnToHealthMs.length} | ${s.perudo.medianSpawnToHealthMs.toFixed(0)} | ${s.perudo.medianReadyToHealthMs.toFixed(0)} |`,
      `| echo baseline | ${s.baseline.spawnToHealthMs.length} | ${s.baseline.medianSpawnToHealthMs.toFixed(0)} | ${s.baseline.medianReadyToHealthMs.toFixed(0)} |`,
      "",
      `Ratio (spawn -> 200): ${s.ratio.toFixed(2)}x.`,
      "",
    );
  }

  // ---------------------------------------------------------------- wake
  push("## Cold start and wake-up", "");
  if (!report.wake.measured) push(`Not measured: ${report.wake.reason}`, "");
  else {
    const w = report.wake.data;
    push(
      `${w.rooms} rooms per Worker, one after another. Cold start: connect to a room that never existed -> the answer to the first message (perudo: \`join\` -> its seated \`state\`, including the first storage write; echo: the echo). Wake-up: \`wrangler dev\` stopped and started again on the same storage (what a deploy does to every room), then reconnect -> the answer to the first message (perudo: \`rejoin\` with the seat token -> the seated \`state\`, the document reloaded; echo: the echo).`,
      "",
      "| Worker | cold start per room (ms) | median | wake-up per room (ms) | median |",
      "|---|---|---:|---|---:|",
      `| perudo-vibe | ${w.perudo.coldStartMs.join(", ")} | ${w.perudo.medianColdStartMs} | ${w.perudo.wakeUpMs.join(", ")} | ${w.perudo.medianWakeUpMs} |`,
      `| echo baseline | ${w.baseline.coldStartMs.join(", ")} | ${w.baseline.medianColdStartMs} | ${w.baseline.wakeUpMs.join(", ")} | ${w.baseline.medianWakeUpMs} |`,
      "",
      `Ratios: cold start ${w.coldStartRatio}x, wake-up ${w.wakeUpRatio}x.`,
      "",
    );
  }

  // ---------------------------------------------------------------- deploy
  push("## Deploy overhead", "");
  if (!report.deploy.measured) push(`Not measured: ${report.deploy.reason}`, "");
  else {
    const d = report.deploy.data;
    push(
      `Against the local fake Cloudflare API (test/support/fake-cloudflare), alternating, ${d.runs} runs each:`,
      "",
      "| command | runs (ms) | median |",
      "|---|---|---:|",
      `| \`${d.command.cli}\` | ${d.cli.wallMs.join(", ")} | ${(d.cli.medianMs / 1000).toFixed(2)} s |`,
      `| \`${d.command.bare}\` | ${d.bare.wallMs.join(", ")} | ${(d.bare.medianMs / 1000).toFixed(2)} s |`,
      ...(d.withoutNpm && d.command.withoutNpm
        ? [`| \`${d.command.withoutNpm}\` (information: the CLI without npm, ${d.withoutNpm.ratio}x) | ${d.withoutNpm.wallMs.join(", ")} | ${(d.withoutNpm.medianMs / 1000).toFixed(2)} s |`]
        : []),
      "",
      `Ratio ${d.ratio}x. The CLI's own phase timings (its --json report, ms): ${d.cli.phasesMs.map((p) => Object.entries(p).map(([k, v]) => `${k} ${v ?? "-"}`).join(", ")).join(" | ")}. Outside those phases (process start, domain attach, exit): median ${d.cli.outsidePhasesMedianMs} ms; just starting the CLI (\`npm run deploy -- --help\`): median ${d.cli.startupMedianMs} ms, of which npm's own start-up (\`npm run env\`, no Node started): median ${d.cli.npmStartupMedianMs ?? "-"} ms (${d.cli.npmStartupMedianMs === undefined ? "-" : `${round(d.cli.npmStartupMedianMs / d.bare.medianMs, 3)}x`} of the bare deploy, which \`npm run deploy\` pays and the bare \`wrangler deploy\` does not).`,
      "",
    );
  }
  return { markdown: lines.join("\n"), svgs };
}

export function verdictTable(verdicts: Verdict[]): string {
  const rows = verdicts.map(
    (v) =>
      `| ${v.target} | ${v.measured} | ${v.ratio === null ? "-" : `${v.ratio}x`} | ${v.limit} | ${v.info ? "information" : v.met === null ? "not measured" : v.met ? "met" : "**not met**"}${v.note ? ` (${v.note})` : ""} |`,
  );
  return ["| target | measured (perudo vs baseline) | ratio | limit | verdict |", "|---|---|---:|---|---|", ...rows].join("\n");
}

function f(ms: number): string {
  return Number.isFinite(ms) ? ms.toFixed(1) : "n/a";
}
