// Runs the real wrangler CLI against a fake Cloudflare: no TTY, no metrics, loopback only.
import { OFFLINE_WRANGLER_ENV, PROJECT_ROOT, WRANGLER_BIN } from "../dev-server.ts";
import { parentEnvWithout } from "../parent-env.ts";
import { runCollected, type CollectedRun } from "../run-process.ts";
import { FAKE_API_TOKEN } from "./state.ts";

export interface RunWranglerOptions {
  /** Defaults to the fake's default token. */
  token?: string;
  cwd?: string;
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export type WranglerResult = CollectedRun;

/**
 * The environment for a wrangler child talking to the fake. Cloudflare credentials and
 * proxies from the parent environment are dropped, so nothing can reach a real account.
 */
export function wranglerEnv(
  fake: { url: string; state: { accountId: string } },
  token: string = FAKE_API_TOKEN,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  return {
    ...parentEnvWithout(["CLOUDFLARE_", "CF_", "WRANGLER_"]),
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
  return runCollected(WRANGLER_BIN, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: wranglerEnv(fake, options.token, options.env),
    timeoutMs: options.timeoutMs ?? 90_000,
  });
}
