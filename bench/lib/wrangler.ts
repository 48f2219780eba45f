// Running the wrangler CLI (and other commands) as children: offline, no credentials from the
// parent environment, own process group so a timeout can stop everything they started.
import { OFFLINE_WRANGLER_ENV, PROJECT_ROOT, WRANGLER_BIN } from "../../test/support/dev-server.ts";
import { runCollected } from "../../test/support/run-process.ts";

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

export async function runCommand(
  bin: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const started = performance.now();
  const run = await runCollected(bin, args, {
    cwd: PROJECT_ROOT,
    env: options.env ?? cleanEnv(),
    timeoutMs: options.timeoutMs ?? 120_000,
  });
  return { ...run, wallMs: performance.now() - started };
}

export function runWrangler(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  return runCommand(WRANGLER_BIN, args, options);
}
