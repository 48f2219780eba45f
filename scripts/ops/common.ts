// What every operations command (status, rollback, teardown, prune-domains) shares: the injected
// effects, reading the stack outputs, the Cloudflare client and the wrangler child environment
// built from the stack's *scoped* token (never the operator's ambient credentials), and running
// wrangler's read commands with --json.
import path from "node:path";
import { z } from "../lib/zod.ts";
import { CloudflareClient, type FetchLike } from "../lib/cloudflare-api.ts";
import { buildWranglerEnv } from "../lib/env.ts";
import { CredentialsError, DeployError, PreflightError, UsageError, errorMessage } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import { loadStackOutputs, pulumiBin, type StackOutputs } from "../lib/outputs.ts";
import type { RunCommand, RunResult } from "../lib/process.ts";
import type { Sleep } from "../lib/retry.ts";
import type { Masker } from "../lib/secrets.ts";
import { classifyWranglerFailure, wranglerBin } from "../lib/wrangler.ts";

export const PROJECT_ROOT = path.resolve(import.meta.dirname, "../..");
/** The Pulumi project: Pulumi.yaml sits at the repository root (with `main: infra/`). */
export const PULUMI_DIR = PROJECT_ROOT;

/** Everything a command does to the world goes through here, so tests can fake any of it. */
export interface OpsEffects {
  env: NodeJS.ProcessEnv;
  run: RunCommand;
  fetch: FetchLike;
  sleep: Sleep;
  now: () => Date;
  logger: Logger;
  masker: Masker;
}

/** Stack name from --stack, else PULUMI_STACK (as the deploy CLI does). */
export function stackName(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag ?? (env["PULUMI_STACK"] || undefined);
}

/** Reads and validates the stack outputs, and registers the deploy token with the masker. */
export async function loadTarget(
  effects: OpsEffects,
  source: { stack: string | undefined; outputsFile?: string | undefined },
): Promise<StackOutputs> {
  effects.logger.step(`Stack outputs${source.stack ? ` (${source.stack})` : ""}`);
  const outputs = await loadStackOutputs({
    stack: source.stack,
    outputsFile: source.outputsFile,
    pulumiBin: pulumiBin(effects.env),
    run: effects.run,
    cwd: PULUMI_DIR,
    env: effects.env,
  });
  effects.masker.add(outputs.deployToken);
  effects.logger.info(`Worker ${outputs.workerName} in account ${outputs.accountId}, served at ${outputs.domain} (${outputs.routing})`);
  return outputs;
}

/** A Cloudflare API client holding the stack's deploy token. */
export function cloudflareClient(effects: OpsEffects, outputs: StackOutputs): CloudflareClient {
  return new CloudflareClient({
    token: outputs.deployToken,
    baseUrl: effects.env["CLOUDFLARE_API_BASE_URL"],
    fetch: effects.fetch,
    sleep: effects.sleep,
    onRetry: (message) => effects.logger.warn(message),
  });
}

/** wrangler's environment: the stack's account and scoped token, no ambient CLOUDFLARE_* at all. */
export function wranglerEnv(effects: OpsEffects, outputs: StackOutputs): NodeJS.ProcessEnv {
  return buildWranglerEnv(effects.env, {
    accountId: outputs.accountId,
    apiToken: outputs.deployToken,
    apiBaseUrl: effects.env["CLOUDFLARE_API_BASE_URL"],
  });
}

export interface WranglerCall {
  args: string[];
  cwd?: string;
  timeoutMs?: number;
  /** Stream wrangler's output to the log (masked) while it runs. */
  stream?: boolean;
}

/** Runs wrangler with the stack's credentials; returns the raw result (never throws on exit codes). */
export async function runWrangler(effects: OpsEffects, outputs: StackOutputs, call: WranglerCall): Promise<RunResult> {
  const out = call.stream ? effects.logger.stream("  │ ") : undefined;
  try {
    const result = await effects.run(wranglerBin(effects.env, PROJECT_ROOT), call.args, {
      cwd: call.cwd ?? PROJECT_ROOT,
      env: wranglerEnv(effects, outputs),
      timeoutMs: call.timeoutMs ?? 120_000,
      ...(out ? { onStdout: (chunk: Buffer) => out.write(chunk), onStderr: (chunk: Buffer) => out.write(chunk) } : {}),
    });
    if (result.spawnError) {
      throw new DeployError(
        `Could not run wrangler (${wranglerBin(effects.env, PROJECT_ROOT)}): ${result.spawnError.message}. Run \`npm ci\`, or set WRANGLER_BIN.`,
      );
    }
    return result;
  } finally {
    out?.end();
  }
}

/** The error a failed wrangler call should become: credentials (3) or `otherwise`. */
export function wranglerError(
  result: RunResult,
  what: string,
  otherwise: (message: string) => Error = (message) => new DeployError(message),
): Error {
  const failure = classifyWranglerFailure({ output: `${result.stdout}\n${result.stderr}`, timedOut: result.timedOut });
  if (failure.kind === "auth") {
    return new CredentialsError(
      `${what} was refused: ${failure.reason}.\nThe deploy token from the stack outputs lacks a permission (docs/permissions.md) or is no longer valid; recreate it with \`pulumi up\` for this stack.`,
    );
  }
  return otherwise(`${what} failed: ${failure.reason}`);
}

// --- wrangler read commands (--json) ---

export const deploymentSchema = z
  .object({
    id: z.string(),
    created_on: z.string(),
    source: z.string().nullish(),
    author_email: z.string().nullish(),
    annotations: z.record(z.string(), z.string()).nullish(),
    versions: z.array(z.object({ version_id: z.string(), percentage: z.number() }).loose()),
  })
  .loose();
export type Deployment = z.infer<typeof deploymentSchema>;

export const versionSchema = z
  .object({
    id: z.string(),
    number: z.number().nullish(),
    metadata: z.object({ created_on: z.string(), source: z.string().nullish(), author_email: z.string().nullish() }).loose(),
    annotations: z.record(z.string(), z.string()).nullish(),
  })
  .loose();
export type Version = z.infer<typeof versionSchema>;

async function wranglerJson<T>(
  effects: OpsEffects,
  outputs: StackOutputs,
  args: string[],
  schema: z.ZodType<T>,
  what: string,
): Promise<T> {
  const result = await runWrangler(effects, outputs, { args, timeoutMs: 90_000 });
  if (result.exitCode !== 0 || result.timedOut) {
    if (/\[code: 10007\]|does not exist|not found/i.test(`${result.stdout}\n${result.stderr}`)) {
      throw new PreflightError(
        `Worker ${outputs.workerName} does not exist in account ${outputs.accountId} (${what}). Deploy it first: npm run deploy -- --stack <stack>.`,
      );
    }
    throw wranglerError(result, what);
  }
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    throw new DeployError(`${what}: wrangler did not print JSON: ${result.stdout.slice(0, 300)}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new DeployError(`${what}: unexpected JSON from wrangler: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** `wrangler deployments list --json`: the 10 latest deployments, oldest first. */
export function listDeployments(effects: OpsEffects, outputs: StackOutputs): Promise<Deployment[]> {
  return wranglerJson(
    effects,
    outputs,
    ["deployments", "list", "--name", outputs.workerName, "--json"],
    z.array(deploymentSchema),
    `wrangler deployments list --name ${outputs.workerName}`,
  ).then((list) => [...list].sort((a, b) => a.created_on.localeCompare(b.created_on)));
}

/**
 * `wrangler versions list --json`: the 10 latest versions, oldest first. Cloudflare's schema does
 * not define `annotations` on list items (wrangler prints what the API sends); a version listed
 * without any gets them from its detail (GET .../versions/:version_id, through the SDK), so the
 * build id (workers/tag) is never silently lost.
 */
export async function listVersions(effects: OpsEffects, outputs: StackOutputs): Promise<Version[]> {
  const listed = await wranglerJson(
    effects,
    outputs,
    ["versions", "list", "--name", outputs.workerName, "--json"],
    z.array(versionSchema),
    `wrangler versions list --name ${outputs.workerName}`,
  );
  const missing = listed.filter((version) => !version.annotations);
  if (missing.length > 0) {
    const client = cloudflareClient(effects, outputs);
    await Promise.all(
      missing.map(async (version) => {
        try {
          const detail = await client.getWorkerVersion(outputs.accountId, outputs.workerName, version.id);
          if (detail.annotations) version.annotations = detail.annotations;
        } catch (error) {
          effects.logger.warn(`Version ${version.id}: no annotations in the list, and its detail could not be read (${errorMessage(error)}); its build id is unknown.`);
        }
      }),
    );
  }
  return [...listed].sort((a, b) => a.metadata.created_on.localeCompare(b.metadata.created_on));
}

/** The version serving the most traffic in a deployment (100% unless a gradual rollout). */
export function mainVersionOf(deployment: Deployment | undefined): string | undefined {
  if (!deployment) return undefined;
  return [...deployment.versions].sort((a, b) => b.percentage - a.percentage)[0]?.version_id;
}

/** The build id the deploy recorded on a version (wrangler --tag, shown as workers/tag). */
export function buildIdOf(version: Version | undefined): string | undefined {
  const tag = version?.annotations?.["workers/tag"];
  return tag && tag !== "-" ? tag : undefined;
}

/**
 * Asks on a terminal; true when the answer is `expected` (or "yes"/"y" when none is given).
 * Tests and CI never reach it: without a terminal the commands require --yes.
 */
export type Confirm = (question: string, expected?: string) => Promise<boolean>;

export function requireStack(stack: string | undefined): string {
  if (!stack) throw new UsageError("No stack given: pass --stack <name> (or set PULUMI_STACK).");
  return stack;
}
