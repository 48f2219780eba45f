// Runs the real wrangler CLI against a fake Cloudflare: no TTY, no metrics, loopback only.
import { spawn } from "node:child_process";
import { OFFLINE_WRANGLER_ENV, PROJECT_ROOT, WRANGLER_BIN } from "../dev-server.js";
import { FAKE_API_TOKEN } from "./state.js";

export interface RunWranglerOptions {
  /** Defaults to the fake's default token. */
  token?: string;
  cwd?: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface WranglerResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment for a wrangler child talking to the fake. Cloudflare credentials and
 * proxies from the parent environment are dropped, so nothing can reach a real account.
 */
export function wranglerEnv(
  fake: { url: string; state: { accountId: string } },
  token: string = FAKE_API_TOKEN,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CLOUDFLARE_|CF_|WRANGLER_)/.test(key) || /_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    ...OFFLINE_WRANGLER_ENV,
    CI: "true",
    CLOUDFLARE_API_BASE_URL: fake.url,
    CLOUDFLARE_ACCOUNT_ID: fake.state.accountId,
    CLOUDFLARE_API_TOKEN: token,
    ...extra,
  };
}

export function runWrangler(
  fake: { url: string; state: { accountId: string } },
  args: string[],
  options: RunWranglerOptions = {},
): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER_BIN, args, {
      cwd: options.cwd ?? PROJECT_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: wranglerEnv(fake, options.token, options.env),
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
    }, options.timeoutMs ?? 90_000);
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
