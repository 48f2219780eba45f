// Running the wrangler CLI (and other commands) as children: offline, no credentials from the
// parent environment, own process group so a timeout can stop everything they started.
import { spawn } from "node:child_process";
import { OFFLINE_WRANGLER_ENV, PROJECT_ROOT, WRANGLER_BIN } from "../../test/support/dev-server.js";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** The parent environment without Cloudflare/Pulumi credentials or proxies, plus offline wrangler. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CLOUDFLARE_|CF_|WRANGLER_|PULUMI_|DEPLOY_)/.test(key) || /_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...OFFLINE_WRANGLER_ENV, CI: "true", ...extra };
}

export function runCommand(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(bin, args, {
      cwd: PROJECT_ROOT,
      env: options.env ?? cleanEnv(),
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
    }, options.timeoutMs ?? 120_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, wallMs: performance.now() - started });
    });
  });
}

export function runWrangler(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return runCommand(WRANGLER_BIN, args, options);
}
