// The report `npm run bench` writes to bench/results/<stamp>.json (and renders as markdown).
import type { BundleSection } from "../sections/bundle.ts";
import type { CostSection } from "../sections/cost.ts";
import type { DeploySection } from "../sections/deploy.ts";
import type { RoomLoadRun } from "../sections/room-load.ts";

/** A section either holds its measurement or says why it was not measured. */
export type Section<T> = { measured: true; data: T } | { measured: false; reason: string };

export interface LoadSection {
  clientsPerRoom: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** One entry per R measured, ascending. */
  sizes: { rooms: number; baseline: RoomLoadRun | null; perudo: RoomLoadRun | null; skipped?: string }[];
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
  verdicts: Verdict[];
  aborted?: string;
}
