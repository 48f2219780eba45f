// Section 3a, bundle: the Worker exactly as `wrangler deploy` would upload it (dry run, minified,
// with esbuild's metafile), against the echo baseline; gzip as wrangler reports it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { WORKERS } from "../lib/servers.ts";
import { runWrangler } from "../lib/wrangler.ts";

export interface BundleInput {
  /** A package name (node_modules/<pkg>) or a project file. */
  name: string;
  bytes: number;
  share: number;
}

export interface BundleMeasurement {
  config: string;
  minifiedBytes: number;
  gzipBytes: number;
  /** wrangler's own "Total Upload: … / gzip: …" line, as printed. */
  wranglerSummary: string | null;
  /** Bytes in the output, grouped by package (or project file), largest first. */
  byPackage: BundleInput[];
  /** The largest single input files. */
  topFiles: BundleInput[];
}

export interface BundleSection {
  perudo: BundleMeasurement;
  baseline: BundleMeasurement;
}

interface Metafile {
  outputs: Record<string, { bytes: number; entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

export async function measureBundles(): Promise<BundleSection> {
  // Concurrently: only sizes are measured here, not time.
  const [perudo, baseline] = await Promise.all([measureBundle(WORKERS.perudo), measureBundle(WORKERS.baseline)]);
  return { perudo, baseline };
}

async function measureBundle(config: string): Promise<BundleMeasurement> {
  const outdir = mkdtempSync(path.join(tmpdir(), "perudo-bench-bundle-"));
  try {
    const metafile = path.join(outdir, "meta.json");
    const result = await runWrangler(
      ["deploy", "--config", config, "--dry-run", "--outdir", path.join(outdir, "dist"), "--minify", "--metafile", metafile],
      { timeoutMs: 120_000 },
    );
    if (result.code !== 0) throw new Error(`wrangler deploy --dry-run failed for ${config}:\n${result.stderr || result.stdout}`);
    const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
    const [outputPath, output] = Object.entries(meta.outputs).find(([file, o]) => file.endsWith(".js") && o.entryPoint) ?? [];
    if (!outputPath || !output) throw new Error(`no JavaScript entry output in the metafile of ${config}`);
    // Metafile paths are relative to esbuild's working directory (the config's folder), so the
    // output is read from --outdir by its file name.
    const code = readFileSync(path.join(outdir, "dist", path.basename(outputPath)), null);
    const byPackage = new Map<string, number>();
    const files: BundleInput[] = [];
    for (const [file, input] of Object.entries(output.inputs)) {
      byPackage.set(packageOf(file), (byPackage.get(packageOf(file)) ?? 0) + input.bytesInOutput);
      files.push({ name: file, bytes: input.bytesInOutput, share: 0 });
    }
    const withShare = (items: BundleInput[]) =>
      items.sort((a, b) => b.bytes - a.bytes).map((item) => ({ ...item, share: item.bytes / code.byteLength }));
    return {
      config,
      minifiedBytes: code.byteLength,
      gzipBytes: gzipSync(code).byteLength,
      wranglerSummary: /Total Upload:[^\n]*/.exec(result.stdout + result.stderr)?.[0]?.trim() ?? null,
      byPackage: withShare([...byPackage].map(([name, bytes]) => ({ name, bytes, share: 0 }))).slice(0, 12),
      topFiles: withShare(files).slice(0, 10),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function packageOf(file: string): string {
  const marker = "node_modules/";
  const at = file.lastIndexOf(marker);
  if (at === -1) return file.replace(/^(\.\.\/)+/, "");
  const parts = file.slice(at + marker.length).split("/");
  return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
}
