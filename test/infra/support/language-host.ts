// What the Pulumi CLI and its Node language host (pulumi-language-nodejs) do between
// `pulumi up` and the program: read Pulumi.yaml and the stack file, apply project config defaults
// and type checks (workspace.ValidateStackConfigAndApplyProjectConfig), work out the program
// directory from `main` (engine getPwdMain), then spawn
//   node <@pulumi/pulumi/cmd/run resolved from the program dir> --monitor <addr> --engine <addr>
//        --sync <dir> --organization <org> --project <p> --root-directory <root> --stack <s>
//        --pwd <program dir> [--dry-run] --parallel <n> <entry point>
// with PULUMI_CONFIG (keys as "<ns>:config:<key>"), PULUMI_CONFIG_SECRET_KEYS,
// PULUMI_NODEJS_TYPESCRIPT and PULUMI_NODEJS_TSCONFIG_PATH (runtime options) in the environment.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";

export interface ProjectConfigType {
  type?: "string" | "integer" | "boolean" | "array" | "object";
  items?: { type: string };
  description?: string;
  default?: unknown;
  value?: unknown;
}

export interface ProjectFile {
  name: string;
  main?: string;
  runtime: string | { name: string; options?: Record<string, unknown> };
  config?: Record<string, ProjectConfigType>;
}

export function loadProject(root: string): ProjectFile {
  return parse(readFileSync(path.join(root, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

export function loadStackConfig(root: string, stack: string): Record<string, unknown> {
  const file = parse(readFileSync(path.join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return file.config ?? {};
}

/** How the CLI renders a config value for the program: primitives as text, the rest as JSON. */
function render(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function matchesType(type: string, items: { type: string } | undefined, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && /^-?\d+$/.test(value));
    case "boolean":
      return typeof value === "boolean" || value === "true" || value === "false";
    case "array":
      return Array.isArray(value) && items !== undefined && value.every((item) => matchesType(items.type, undefined, item));
    // Pulumi >= 3.187 (pulumi/pulumi#20129, #20132): an opaque object.
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    default:
      return false;
  }
}

/**
 * The config the CLI hands the program for a stack, or the error the CLI stops with before the
 * program runs (missing keys without a default, values of the wrong declared type).
 */
export function resolveStackConfig(
  project: ProjectFile,
  stackConfig: Record<string, unknown>,
  stack: string,
): { ok: true; config: Record<string, string> } | { ok: false; error: string } {
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(stackConfig)) config[key] = render(value);
  const missing: string[] = [];
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (fullKey in stackConfig) continue;
    const fallback = declaration.value ?? declaration.default;
    if (fallback === undefined || fallback === null) missing.push(key);
    else config[fullKey] = render(fallback);
  }
  if (missing.length > 0) {
    const list = missing.sort().map((key) => `'${key}'`);
    const joined = list.length === 1 ? list[0] : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;
    return { ok: false, error: `Stack '${stack}' is missing configuration value${list.length === 1 ? "" : "s"} ${joined}` };
  }
  for (const [key, declaration] of Object.entries(project.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
    if (!declaration.type || !(fullKey in stackConfig)) continue;
    if (!matchesType(declaration.type, declaration.items, stackConfig[fullKey])) {
      const typeName = declaration.items ? `array<${declaration.items.type}>` : declaration.type;
      return { ok: false, error: `Stack '${stack}' with configuration key '${key}' must be of type '${typeName}'` };
    }
  }
  return { ok: true, config };
}

/** The engine's getPwdMain: `main` as a directory becomes the working directory, entry ".". */
export function programLocation(root: string, project: ProjectFile): { pwd: string; entryPoint: string } {
  if (!project.main) return { pwd: root, entryPoint: "." };
  const main = path.resolve(root, project.main);
  if (!main.startsWith(path.resolve(root))) throw new Error("project 'main' must be a subfolder");
  return statSync(main).isDirectory()
    ? { pwd: main, entryPoint: "." }
    : { pwd: path.dirname(main), entryPoint: path.basename(main) };
}

export interface RunOptions {
  root: string;
  project: ProjectFile;
  stack: string;
  config: Record<string, string>;
  monitorAddress: string;
  engineAddress: string;
  dryRun?: boolean;
  /** Extra environment for the program (the language host passes its own through). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Children still running, so a test that gives up can stop them (see stopAllPrograms). */
const running = new Set<import("node:child_process").ChildProcess>();

/** Kills every program run that has not exited yet. */
export function stopAllPrograms(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  argv: string[];
}

/** Spawns the program exactly as the Node language host does, and waits for it to exit. */
export async function runLikeLanguageHost(options: RunOptions): Promise<RunResult> {
  const { root, project, stack } = options;
  const { pwd, entryPoint } = programLocation(root, project);
  const runtimeOptions = typeof project.runtime === "string" ? {} : (project.runtime.options ?? {});
  // locateModule: `node -e "require.resolve('@pulumi/pulumi/cmd/run')"` in the program directory.
  const runPath = createRequire(path.join(pwd, "noop.js")).resolve("@pulumi/pulumi/cmd/run");
  const syncDirectory = mkdtempSync(path.join(tmpdir(), "pulumi-sync-"));
  const argv = [
    runPath,
    "--monitor", options.monitorAddress,
    "--engine", options.engineAddress,
    "--sync", syncDirectory,
    "--organization", "organization",
    "--project", project.name,
    "--root-directory", root,
    "--stack", stack,
    "--pwd", pwd,
    ...(options.dryRun ? ["--dry-run"] : []),
    "--parallel", "16",
    entryPoint,
  ];

  // The language host passes its own environment through; drop what this test runner adds.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(VITEST|NODE_OPTIONS|TS_NODE_|PULUMI_|CLOUDFLARE_)/.test(key)) continue;
    env[key] = value;
  }
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.config)) {
    const [namespace, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    config[`${namespace}:config:${name}`] = value;
  }
  Object.assign(env, options.env ?? {});
  env["PULUMI_CONFIG"] = JSON.stringify(config);
  env["PULUMI_CONFIG_SECRET_KEYS"] = "[]";
  if (runtimeOptions["typescript"] !== false) env["PULUMI_NODEJS_TYPESCRIPT"] = "true";
  if (typeof runtimeOptions["tsconfig"] === "string") env["PULUMI_NODEJS_TSCONFIG_PATH"] = runtimeOptions["tsconfig"];
  const nodeArgs = typeof runtimeOptions["nodeargs"] === "string" ? runtimeOptions["nodeargs"].split(/\s+/) : [];

  try {
    return await new Promise<RunResult>((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeArgs, ...argv], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
      running.add(child);
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, options.timeoutMs ?? 120_000);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        running.delete(child);
        resolve({ code, signal, stdout, stderr, timedOut, argv });
      });
    });
  } finally {
    rmSync(syncDirectory, { recursive: true, force: true });
  }
}
