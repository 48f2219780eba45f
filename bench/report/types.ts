// The report `npm run bench` writes to bench/results/<stamp>.json (and renders as markdown).
import type { BundleSection } from "../sections/bundle.ts";
import type { CostSection } from "../sections/cost.ts";
import type { DeploySection } from "../sections/deploy.ts";
import type { RoomLoadRun } from "../sections/room-load.ts";
import type { WakeSection } from "../sections/wake.ts";

/** A section either holds its measurement or says why it was not measured. */
export type Section<T> = { measured: true; data: T } | { measured: false; reason: string };

export interface LoadSection {
  clientsPerRoom: number;
  warmupSeconds: number;
  windowSeconds: number;
  /**
   * One entry per R measured, ascending. `pairs`: the runs in the order they ran (baseline, then
   * perudo, alternating); `baseline`/`perudo`: the pair whose p99 ratio is the median (the one
   * the tables and plots show; the search's baseline-only runs have no pair).
   */
  sizes: {
    rooms: number;
    baseline: RoomLoadRun | null;
    perudo: RoomLoadRun | null;
    pairs?: { baseline: RoomLoadRun; perudo: RoomLoadRun }[];
    skipped?: string;
  }[];
  /** Paired runs per judged size (a size whose first floor p99 is over judgedFloorP99Ms gets one). */
  pairsPerSize: number;
  /** Latency and CPU ratios are judged only where the echo floor's median p99 is at most this. */
  judgedFloorP99Ms: number;
  /** The largest R where the baseline's p99 stayed under the limit (null: none measured did). */
  baselineLimitRooms: number | null;
  limitMs: number;
  search: string[];
}

export interface StartupSection {
  /** Per Worker: spawn of wrangler dev -> first 200 on /health, and "Ready on" -> first 200. */
  perudo: { spawnToHealthMs: number[]; readyToHealthMs: number[]; medianSpawnToHealthMs: number; medianReadyToHealthMs: number };
  baseline: { spawnToHealthMs: number[]; readyToHealthMs: number[]; medianSpawnToHealthMs: number; medianReadyToHealthMs: number };
  ratio: number;
}

export interface Verdict {
  target: string;
  measured: string;
  ratio: number | null;
  limit: string;
  met: boolean | null;
  /** Shown for information, not judged (e.g. a saturated size, a figure with no limit). */
  info?: boolean;
  note?: string;
}

export interface BenchReport {
  version: 1;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  command: string;
  options: Record<string, unknown>;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGb: number;
    node: string;
    wrangler: string;
    loadAverageAtStart: number[];
    note: string;
  };
  git: { commit: string; dirty: boolean };
  load: Section<LoadSection>;
  cost: Section<CostSection>;
  bundle: Section<BundleSection>;
  startup: Section<StartupSection>;
  deploy: Section<DeploySection>;
  wake: Section<WakeSection>;
  verdicts: Verdict[];
  aborted?: string;
}
