// The storage-inspecting test Worker must run the project's Worker as deployed: same class,
// migrations, rate limits, vars and compatibility date as wrangler.jsonc.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stripJsonc } from "../../scripts/ops/jsonc.ts";
import { PROJECT_ROOT } from "../support/dev-server.ts";

/** A wrangler config, with `assets.directory` resolved from the config's own folder (as wrangler does). */
function readConfig(file: string): Record<string, unknown> {
  const config = JSON.parse(stripJsonc(readFileSync(path.join(PROJECT_ROOT, file), "utf8"))) as Record<string, unknown>;
  const assets = config["assets"] as { directory?: string } | undefined;
  if (assets?.directory) {
    config["assets"] = { ...assets, directory: path.resolve(PROJECT_ROOT, path.dirname(file), assets.directory) };
  }
  return config;
}

describe("test/support/inspect-worker/wrangler.jsonc", () => {
  it("mirrors wrangler.jsonc but for name, entry point and schema path", () => {
    const { name: _n, main: _m, $schema: _s, observability: _o, ...project } = readConfig("wrangler.jsonc");
    const { name, main, $schema: _s2, ...inspect } = readConfig("test/support/inspect-worker/wrangler.jsonc");
    expect(inspect).toEqual(project);
    expect({ name, main }).toEqual({ name: "perudo-vibe-test-inspect", main: "worker.ts" });
  });
});
