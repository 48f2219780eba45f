// Environment handling: .env loading (never overriding what is already set) and the explicit
// environment of the wrangler child (no ambient Cloudflare credentials, metrics off).
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/** Telemetry and network extras every wrangler child runs without. Part of the CLI's contract. */
export const WRANGLER_QUIET_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
} as const;

/**
 * Loads `file` (default ./.env) into `env` without overriding variables that are already set.
 * Uses dotenv's parser only, so nothing is printed (dotenv's config() logs to stdout).
 * Returns the names it set.
 */
export function loadDotenv(
  env: NodeJS.ProcessEnv = process.env,
  file: string = path.resolve(process.cwd(), ".env"),
): string[] {
  if (!existsSync(file)) return [];
  // Required only when there is a .env to read: most runs have none, and startup is benchmarked.
  const { parse } = createRequire(import.meta.url)("dotenv") as typeof import("dotenv");
  const parsed = parse(readFileSync(file));
  const set: string[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}

/** True for variables that can carry Cloudflare credentials or account selection to wrangler. */
export function isCloudflareVariable(name: string): boolean {
  return name.startsWith("CLOUDFLARE_") || name.startsWith("CF_");
}

/** Variables a wrangler child must not inherit because this tool decides them. */
const CONTROLLED_WRANGLER_VARIABLES = new Set([
  "WRANGLER_OUTPUT_FILE_PATH",
  "WRANGLER_OUTPUT_FILE_DIRECTORY",
  "WRANGLER_LOG_PATH",
  "WRANGLER_LOG_SANITIZE",
]);

export interface WranglerEnvInput {
  accountId: string;
  apiToken: string;
  /** Cloudflare API base (CLOUDFLARE_API_BASE_URL), passed through when set. */
  apiBaseUrl?: string | undefined;
  /** Extra variables (output file path, log path). */
  extra?: Record<string, string>;
}

/**
 * Builds the wrangler child's environment explicitly: the parent's environment minus every
 * CLOUDFLARE_* / CF_* variable (the operator's bootstrap token must never reach wrangler), plus
 * the deploy credentials from the stack outputs and the quiet/telemetry-off switches.
 */
export function buildWranglerEnv(parent: NodeJS.ProcessEnv, input: WranglerEnvInput): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || isCloudflareVariable(name) || CONTROLLED_WRANGLER_VARIABLES.has(name)) continue;
    env[name] = value;
  }
  return {
    ...env,
    ...WRANGLER_QUIET_ENV,
    WRANGLER_LOG_SANITIZE: "true",
    CLOUDFLARE_ACCOUNT_ID: input.accountId,
    CLOUDFLARE_API_TOKEN: input.apiToken,
    ...(input.apiBaseUrl ? { CLOUDFLARE_API_BASE_URL: input.apiBaseUrl } : {}),
    ...input.extra,
  };
}
