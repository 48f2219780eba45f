// One Node for everything the project runs: the `node` devDependency (a Node binary from the npm
// registry in node_modules/.bin, first on PATH in every npm script), .nvmrc/.node-version for
// setup-node and version managers, and engines all name the same release. The rest of the
// platform (scripts as native TypeScript, wrangler's workerd and the compatibility date) is
// checked here too, so a bump of one piece without the others fails.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stripJsonc } from "../../scripts/ops/jsonc.ts";
import { PROJECT_ROOT } from "../support/dev-server.ts";

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const pinned = pkg.devDependencies["node"]!;

describe("the pinned Node", () => {
  it("is one exact release of an LTS line, named the same in every place", () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    // Even majors become LTS; 24 and 26 are the supported lines (wrangler/vitest/Pulumi need >= 22).
    expect(Number(pinned.split(".")[0]) % 2).toBe(0);
    expect(read(".nvmrc").trim()).toBe(pinned);
    expect(read(".node-version").trim()).toBe(pinned);
    expect(pkg.engines.node).toBe(`^${pinned}`);
  });

  it("is the Node these tests run on (npm test / npx vitest put node_modules/.bin first on PATH)", () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  it("is what every workflow's setup-node installs (from .nvmrc, never a hard-coded version)", () => {
    const dir = path.join(PROJECT_ROOT, ".github/workflows");
    const workflows = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name));
    expect(workflows.length).toBeGreaterThan(0);
    for (const name of workflows) {
      const text = readFileSync(path.join(dir, name), "utf8");
      const setups = text.split("uses: actions/setup-node@").slice(1);
      for (const setup of setups) expect(setup.split("- ")[0], name).toMatch(/node-version-file: \.nvmrc\n/);
      expect(text, name).not.toMatch(/node-version:/);
    }
  });

  it("arrives through an approved install script, and every install script in node_modules is reviewed", () => {
    // npm 12 skips dependency install scripts that package.json's allowScripts does not approve:
    // the `node` package would install no binary, workerd no runtime. Walk what npm ci installed
    // (node_modules and nested node_modules) for packages that declare an install script.
    const withScripts = new Set<string>();
    const visit = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir)) {
        if (entry.startsWith(".")) continue;
        const names = entry.startsWith("@") ? readdirSync(path.join(dir, entry)).map((name) => `${entry}/${name}`) : [entry];
        for (const name of names) {
          const manifest = path.join(dir, name, "package.json");
          if (!existsSync(manifest)) continue;
          const scripts = (JSON.parse(readFileSync(manifest, "utf8")) as { scripts?: Record<string, string> }).scripts ?? {};
          if (["preinstall", "install", "postinstall"].some((hook) => hook in scripts)) withScripts.add(name);
          visit(path.join(dir, name, "node_modules"));
        }
      }
    };
    visit(path.join(PROJECT_ROOT, "node_modules"));
    expect(withScripts).toContain("node");
    expect([...withScripts].filter((name) => !(name in pkg.allowScripts)), "not in allowScripts").toEqual([]);
    for (const binary of ["node", "workerd", "esbuild"]) expect(pkg.allowScripts[binary], binary).toBe(true);
  });
});

describe("npm run pulumi -- <args>", () => {
  it("runs the pulumi on PATH with the pinned Node first on PATH (what its language host starts)", () => {
    // A stand-in for the Pulumi CLI: prints its arguments and the `node` its PATH resolves.
    const dir = mkdtempSync(path.join(tmpdir(), "fake-pulumi-cli-"));
    try {
      const bin = path.join(dir, "pulumi");
      writeFileSync(bin, '#!/bin/sh\necho "pulumi $*"\nnode --version\n');
      chmodSync(bin, 0o755);
      // The machine's PATH without this project's node_modules/.bin (npm adds it back itself).
      const machinePath = (process.env["PATH"] ?? "").split(path.delimiter).filter((entry) => !entry.startsWith(PROJECT_ROOT));
      const run = spawnSync("npm", ["run", "--silent", "pulumi", "--", "preview", "--stack", "staging"], {
        cwd: PROJECT_ROOT,
        env: { ...process.env, PATH: [dir, ...machinePath].join(path.delimiter) },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim().split("\n")).toEqual(["pulumi preview --stack staging", `v${pinned}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe("TypeScript runs natively", () => {
  it("every npm script that runs a .ts file runs it with node, no loader (only the compile-cache preload), and the file exists", () => {
    const tsScripts = Object.entries(pkg.scripts).filter(([, command]) => /\.ts\b/.test(command));
    expect(tsScripts.length).toBeGreaterThan(0);
    for (const [name, command] of tsScripts) {
      const match = /^node (?:--import \.\/scripts\/compile-cache\.mjs )?([\w/.-]+\.ts)(\s|$)/.exec(command);
      expect(match, `${name}: ${command}`).not.toBeNull();
      expect(existsSync(path.join(PROJECT_ROOT, match![1]!)), name).toBe(true);
    }
    expect(JSON.stringify(pkg)).not.toMatch(/\b(tsx|ts-node)\b/);
  });

  it("the compile-cache preload turns the cache on for the CLI only: children do not inherit it", () => {
    // What a child (wrangler, pulumi) would see: no NODE_COMPILE_CACHE, no --import in its options.
    const run = spawnSync(
      process.execPath,
      ["--import", "./scripts/compile-cache.mjs", "-e", "console.log(JSON.stringify([require(\"node:module\").getCompileCacheDir(), process.env.NODE_COMPILE_CACHE ?? null, process.env.NODE_OPTIONS ?? null]))"],
      { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, NODE_COMPILE_CACHE: "", NODE_OPTIONS: "" } },
    );
    expect(run.status, run.stderr).toBe(0);
    const [dir, inherited, options] = JSON.parse(run.stdout) as [string | undefined, string | null, string | null];
    expect(path.dirname(dir ?? "")).toBe(path.join(PROJECT_ROOT, "node_modules/.cache/node-compile-cache"));
    expect(inherited || null).toBeNull();
    expect(options || null).toBeNull();
  });
});

describe("the Worker's runtime", () => {
  it("uses the newest compatibility date the installed workerd supports, here and in the bench", () => {
    const { compatibilityDate } = createRequire(path.join(PROJECT_ROOT, "package.json"))("workerd") as { compatibilityDate: string };
    expect(compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const bench = ["echo", "counted", "echo-stored", "unsaved"].map((name) => `bench/baseline/wrangler.${name}.jsonc`);
    for (const file of ["wrangler.jsonc", ...bench]) {
      const config = JSON.parse(stripJsonc(read(file))) as { compatibility_date: string };
      expect(config.compatibility_date, file).toBe(compatibilityDate);
    }
  });

  it("type-checks against the Workers types of that same workerd release", () => {
    const require = createRequire(path.join(PROJECT_ROOT, "package.json"));
    const workerd = (require("workerd/package.json") as { version: string }).version; // 1.YYYYMMDD.n
    const types = (require("@cloudflare/workers-types/package.json") as { version: string }).version; // N.YYYYMMDD.n
    expect(types.split(".")[1]).toBe(workerd.split(".")[1]);
  });
});
