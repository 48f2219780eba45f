// Child processes: run to completion with a timeout that stops the whole process group
// (wrangler spawns esbuild and workerd helpers; killing only the parent would leave them).
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Stop the process group after this long; the result says timedOut. */
  timeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  onStdout?(chunk: Buffer): void;
  onStderr?(chunk: Buffer): void;
}

export interface RunResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Set when the executable could not be started at all (ENOENT, EACCES). */
  spawnError?: Error;
  durationMs: number;
}

export type RunCommand = (command: string, args: string[], options?: RunOptions) => Promise<RunResult>;

export type SpawnLike = (command: string, args: string[], options: SpawnOptions) => ChildProcess;

/** Creates a RunCommand on top of an injectable spawn (tests pass a fake). */
export function createRunCommand(spawn: SpawnLike = nodeSpawn, now: () => number = Date.now): RunCommand {
  return (command, args, options = {}) =>
    new Promise<RunResult>((resolve) => {
      const started = now();
      let stdout = "";
      let stderr = "";
      let timedOut = false;
      let settled = false;
      let child: ChildProcess;
      try {
        child = spawn(command, args, {
          cwd: options.cwd,
          env: options.env,
          // Own process group, so a timeout reaches every descendant.
          detached: process.platform !== "win32",
          stdio: ["ignore", "pipe", "pipe"],
        });
      } catch (error) {
        resolve({ exitCode: null, signal: null, stdout, stderr, timedOut, spawnError: error as Error, durationMs: 0 });
        return;
      }
      active.add(child);
      const finish = (result: Omit<RunResult, "stdout" | "stderr" | "timedOut" | "durationMs">) => {
        if (settled) return;
        settled = true;
        active.delete(child);
        clearTimeout(timer);
        clearTimeout(killTimer);
        resolve({ ...result, stdout, stderr, timedOut, durationMs: now() - started });
      };
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        options.onStdout?.(chunk);
      });
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
        options.onStderr?.(chunk);
      });
      child.once("error", (error) => finish({ exitCode: null, signal: null, spawnError: error }));
      child.once("close", (code, signal) => {
        // The group may still hold helpers (e.g. after a timeout); make sure it is gone.
        if (timedOut) killGroup(child, "SIGKILL");
        finish({ exitCode: code, signal });
      });
      let killTimer: NodeJS.Timeout | undefined;
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              killGroup(child, "SIGTERM");
              killTimer = setTimeout(() => killGroup(child, "SIGKILL"), options.killGraceMs ?? 5_000);
            }, options.timeoutMs);
    });
}

export const runCommand: RunCommand = createRunCommand();

/** Children started by this process and still running (for stopAllChildren on Ctrl-C). */
const active = new Set<ChildProcess>();

/** Stops every child process group this process started (the CLI calls it on SIGINT/SIGTERM). */
export function stopAllChildren(signal: NodeJS.Signals = "SIGTERM"): void {
  for (const child of active) killGroup(child, signal);
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    if (process.platform === "win32") child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
