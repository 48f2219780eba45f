// Runs a command the way the end-to-end tests need: no terminal, stdout and stderr collected,
// in its own process group so a timeout kills everything it started (wrangler's workerd too).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export interface RunCollectedOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** After this long the whole process group gets SIGKILL; the run then ends with its exit. */
  timeoutMs: number;
}

export interface CollectedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Resolves when the process has exited and its output is closed; rejects if it cannot start. */
export function runCollected(command: string, args: readonly string[], options: RunCollectedOptions): Promise<CollectedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The arguments package.json's npm script `name` gives node (`node --import ... scripts/x.ts`):
 * a test that spawns `process.execPath` with them starts the CLI exactly as `npm run name` does.
 */
export function npmScriptNodeArgs(name: string): string[] {
  const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, "../../package.json"), "utf8")) as { scripts: Record<string, string> };
  const [bin, ...args] = (pkg.scripts[name] ?? "").split(" ");
  if (bin !== "node" || args.length === 0) throw new Error(`npm script ${name} is not "node <args>": ${pkg.scripts[name]}`);
  return args;
}
