// Running `wrangler deploy`: the command line (pure), the child environment (explicit, no
// ambient credentials), masked streaming, a per-attempt timeout that stops the whole process
// group, classification of a failed attempt, and bounded retries of transient failures only.
import { existsSync, realpathSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CredentialsError, DeployError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { RunCommand, RunResult } from "./process.ts";
import { backoffDelay, realSleep, type Sleep } from "./retry.ts";
import { MASK } from "./secrets.ts";

/** The wrangler executable: WRANGLER_BIN, else the project's own (node_modules/.bin/wrangler). */
export function wranglerBin(env: NodeJS.ProcessEnv, projectRoot: string): string {
  return env["WRANGLER_BIN"] || path.join(projectRoot, "node_modules/.bin/wrangler");
}

/** How a wrangler executable is started: the command and the arguments before wrangler's own. */
export interface WranglerLaunch {
  command: string;
  args: string[];
}

/**
 * How to start `bin`. The project's own wrangler (node_modules/.bin/wrangler ->
 * wrangler/bin/wrangler.js) is a shim that only checks the Node version and re-spawns Node on
 * wrangler-dist/cli.js with --no-warnings (4.164; 4.86 added --experimental-vm-modules); that second Node start costs
 * ~0.1-0.2 s per deploy, so this starts wrangler-dist/cli.js the same way directly, with this
 * process's Node. Anything else (WRANGLER_BIN, an unexpected layout) is started as it is.
 */
export function wranglerLaunch(bin: string, projectRoot: string): WranglerLaunch {
  const asIs = { command: bin, args: [] };
  if (bin !== path.join(projectRoot, "node_modules/.bin/wrangler")) return asIs;
  try {
    const shim = realpathSync(bin);
    if (path.basename(shim) !== "wrangler.js" || path.basename(path.dirname(shim)) !== "bin") return asIs;
    const cli = path.join(path.dirname(shim), "../wrangler-dist/cli.js");
    if (!existsSync(cli)) return asIs;
    return { command: process.execPath, args: ["--no-warnings", cli] };
  } catch {
    return asIs;
  }
}

export interface WranglerDeployPlan {
  workerName: string;
  buildId: string;
  allowedOrigins: string[];
  turnSeconds: number;
  /** MAX_CONNECTIONS_PER_ROOM; when undefined, the value in wrangler.jsonc is uploaded. */
  maxConnectionsPerRoom?: number | undefined;
  routing: "custom-domain" | "route";
  domain: string;
  message: string;
}

/**
 * The `wrangler deploy` arguments. Custom-domain mode passes no --domain on purpose: wrangler
 * without a terminal sends override_existing_dns_record/override_existing_origin = true and
 * treats the --domain list as the Worker's complete set (measured on 4.86, again on 4.164: see
 * docs/cloudflare-endpoints.md). The hostname is attached afterwards
 * with the Attach Domain API, without override.
 */
export function buildWranglerDeployArgs(plan: WranglerDeployPlan): string[] {
  const args = [
    "deploy",
    "--name",
    plan.workerName,
    "--var",
    `BUILD_ID:${plan.buildId}`,
    "--var",
    `ALLOWED_ORIGINS:${plan.allowedOrigins.join(",")}`,
    "--var",
    `TURN_SECONDS:${plan.turnSeconds}`,
    ...(plan.maxConnectionsPerRoom === undefined ? [] : ["--var", `MAX_CONNECTIONS_PER_ROOM:${plan.maxConnectionsPerRoom}`]),
    "--tag",
    plan.buildId,
    "--message",
    plan.message,
    "--minify",
  ];
  if (plan.routing === "route") args.push("--route", `${plan.domain}/*`);
  return args;
}

/** A shell-style rendering of a command (for --dry-run and logs); secret values as ***. */
export function formatCommandLine(bin: string, args: string[], env: Record<string, string> = {}): string {
  const quote = (value: string) => (/^[A-Za-z0-9_\-./:=@,+*]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  const envPart = Object.entries(env).map(([name, value]) => `${name}=${value === MASK ? MASK : quote(value)}`);
  return [...envPart, quote(bin), ...args.map(quote)].join(" ");
}

// --- classification of a failed attempt ---

export type AttemptFailureKind = "transient" | "auth" | "permanent";

export interface AttemptFailure {
  kind: AttemptFailureKind;
  /** One line saying why, for logs and error messages. */
  reason: string;
  /** Cloudflare error lines wrangler printed ("Authentication error [code: 10000]"). */
  apiErrors: string[];
  httpStatus?: number;
}

const AUTH_CODES = new Set([1000, 1001, 6003, 6111, 9103, 9106, 9109, 10000, 10001]);
const TRANSIENT_CODES = new Set([971, 10013, 10429]);
const NETWORK_FAILURE =
  /fetch failed|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EPIPE|socket hang up|other side closed|UND_ERR_[A-Z_]+|TimeoutError|network connection/i;
const AUTH_TEXT = /Authentication error|Invalid API Token|Unauthorized|not authorized|permission/i;

/**
 * Decides what a failed wrangler attempt means. Wrangler prints Cloudflare error codes
 * ("[code: 10000]") but not HTTP statuses; its debug log (WRANGLER_LOG_PATH, always written,
 * sanitized) has "-- START CF API RESPONSE: <text> <status>" lines, so both are read. Pure.
 */
export function classifyWranglerFailure(input: { output: string; debugLog?: string; timedOut?: boolean }): AttemptFailure {
  if (input.timedOut) return { kind: "transient", reason: "wrangler did not finish in time (stopped)", apiErrors: [] };
  const output = stripAnsi(input.output);
  const apiErrors = [...output.matchAll(/^\s*(?:[✘X]\s*)?(?:\[ERROR\]\s*)?(.*\[code: \d+\].*)$/gm)].map((m) => (m[1] ?? "").trim());
  const codes = [...output.matchAll(/\[code: (\d+)\]/g)].map((m) => Number(m[1]));
  const statuses = [...stripAnsi(input.debugLog ?? "").matchAll(/-- START CF API RESPONSE: .*?(\d{3})\s*$/gm)].map((m) =>
    Number(m[1]),
  );
  const malformed = [...output.matchAll(/(?:GET|PUT|POST|PATCH|DELETE) \S+ -> (\d{3})/g)].map((m) => Number(m[1]));
  const errorStatuses = [...statuses, ...malformed].filter((status) => status >= 400);
  // 404s are normal during a first deploy (wrangler probes for the Worker); ignore them.
  const httpStatus = errorStatuses.filter((status) => status !== 404).at(-1);
  const failedRequest = /A request to the Cloudflare API \(([^)]*)\) failed/.exec(output)?.[1];
  const where = failedRequest ? ` (${failedRequest})` : "";
  const said = apiErrors.length > 0 ? `: ${apiErrors.join("; ")}` : "";

  const withStatus = httpStatus ? { httpStatus } : {};
  // The HTTP statuses only explain the failure when wrangler's error is an API error; a network
  // error after, say, a handled 403 (wrangler's route fallback) must not read as an auth error.
  const apiFailure = failedRequest !== undefined || malformed.length > 0 || codes.length > 0;
  if (apiFailure) {
    if (httpStatus === 401 || httpStatus === 403 || codes.some((code) => AUTH_CODES.has(code))) {
      return { kind: "auth", reason: `Cloudflare refused the deploy token${where}${said}`, apiErrors, ...withStatus };
    }
    if ((httpStatus !== undefined && (httpStatus === 429 || httpStatus >= 500)) || codes.some((code) => TRANSIENT_CODES.has(code))) {
      const status = httpStatus ? ` HTTP ${httpStatus}` : "";
      return { kind: "transient", reason: `Cloudflare API error${status}${where}${said}`, apiErrors, ...withStatus };
    }
    if (AUTH_TEXT.test(said)) {
      return { kind: "auth", reason: `Cloudflare refused the deploy token${where}${said}`, apiErrors, ...withStatus };
    }
  }
  if (NETWORK_FAILURE.test(output)) {
    const detail = NETWORK_FAILURE.exec(output)?.[0];
    return { kind: "transient", reason: `network failure talking to the Cloudflare API (${detail})${where}`, apiErrors };
  }
  const lastError = output
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /\[ERROR\]|^✘|Error:/.test(line))
    .at(-1);
  return {
    kind: "permanent",
    reason: `${lastError ? lastError.replace(/^✘\s*\[ERROR\]\s*/, "") : "wrangler deploy failed"}${said && !lastError?.includes("[code:") ? said : ""}`,
    apiErrors,
    ...withStatus,
  };
}

/**
 * The deployed version id: from wrangler's ND-JSON output file (WRANGLER_OUTPUT_FILE_PATH,
 * entry {"type":"deploy","version_id":...}), else from "Current Version ID: <id>". Pure.
 */
export function parseVersionId(outputFile: string | undefined, output: string): string | null {
  for (const line of (outputFile ?? "").split("\n").reverse()) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { type?: unknown; version_id?: unknown };
      if (entry.type === "deploy" && typeof entry.version_id === "string" && entry.version_id) return entry.version_id;
    } catch {
      // not JSON: ignore the line
    }
  }
  const match = /Current Version ID:\s*([0-9a-f-]{8,})/i.exec(stripAnsi(output));
  return match?.[1] ?? null;
}

// --- running with retries ---

export interface RunWranglerDeployOptions {
  bin: string;
  args: string[];
  /** How to start `bin` (see wranglerLaunch); default: `bin` itself. */
  launch?: WranglerLaunch;
  /** Child environment (see env.ts buildWranglerEnv); output/log paths are added per attempt. */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Total attempts (>= 1). */
  attempts: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  backoffBaseMs?: number;
  run: RunCommand;
  sleep?: Sleep;
  logger: Logger;
  /** Directory for per-attempt output/log files (default: a fresh temp dir, removed after). */
  workDir?: string;
  readText?: (file: string) => Promise<string | undefined>;
}

export interface WranglerDeployResult {
  versionId: string | null;
  attempts: number;
  output: string;
}

/** Runs `wrangler deploy` until it succeeds, a non-transient failure, or attempts run out. */
export async function runWranglerDeploy(options: RunWranglerDeployOptions): Promise<WranglerDeployResult> {
  const sleep = options.sleep ?? realSleep;
  const readText = options.readText ?? ((file: string) => readFile(file, "utf8").catch(() => undefined));
  const workDir = options.workDir ?? (await mkdtemp(path.join(tmpdir(), "perudo-deploy-")));
  const failures: string[] = [];
  try {
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      const outputFile = path.join(workDir, `wrangler-output-${attempt}.ndjson`);
      const logFile = path.join(workDir, `wrangler-debug-${attempt}.log`);
      options.logger.info(`wrangler deploy, attempt ${attempt} of ${options.attempts}`);
      const stdout = options.logger.stream("  │ ");
      const stderr = options.logger.stream("  │ ");
      let result: RunResult;
      try {
        const launch = options.launch ?? { command: options.bin, args: [] };
        result = await options.run(launch.command, [...launch.args, ...options.args], {
          cwd: options.cwd,
          env: { ...options.env, WRANGLER_OUTPUT_FILE_PATH: outputFile, WRANGLER_LOG_PATH: logFile },
          timeoutMs: options.timeoutMs,
          onStdout: (chunk) => stdout.write(chunk),
          onStderr: (chunk) => stderr.write(chunk),
        });
      } finally {
        stdout.end();
        stderr.end();
      }
      if (result.spawnError) {
        throw new DeployError(
          `Could not run wrangler (${options.bin}): ${result.spawnError.message}. Run \`npm ci\`, or set WRANGLER_BIN.`,
        );
      }
      const output = `${result.stdout}\n${result.stderr}`;
      if (result.exitCode === 0 && !result.timedOut) {
        const versionId = parseVersionId(await readText(outputFile), output);
        return { versionId, attempts: attempt, output };
      }
      const failure = classifyWranglerFailure({
        output,
        debugLog: (await readText(logFile)) ?? "",
        timedOut: result.timedOut,
      });
      failures.push(`attempt ${attempt}: ${failure.reason}`);
      if (failure.kind === "auth") {
        throw new CredentialsError(
          `wrangler deploy was refused: ${failure.reason}.\nThe deploy token from the stack outputs is missing a permission (see docs/permissions.md) or is no longer valid; recreate it with \`pulumi up\` for this stack. Not retried.`,
        );
      }
      if (failure.kind === "permanent") {
        throw new DeployError(`wrangler deploy failed (not retried: not a transient failure): ${failure.reason}`);
      }
      if (attempt < options.attempts) {
        const delayMs = backoffDelay(attempt + 1, { baseMs: options.backoffBaseMs ?? 5_000, maxMs: 60_000 });
        options.logger.warn(`transient failure: ${failure.reason}; retrying in ${(delayMs / 1000).toFixed(1)}s`);
        await sleep(delayMs);
      }
    }
    throw new DeployError(
      `wrangler deploy failed after ${options.attempts} attempt(s) with transient failures:\n${failures.map((f) => `  - ${f}`).join("\n")}\nCheck https://www.cloudflarestatus.com and run the deploy again (it is safe to repeat).`,
    );
  } finally {
    if (!options.workDir) await rm(workDir, { recursive: true, force: true });
  }
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "");
}
