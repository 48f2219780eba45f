// `npm run rollback -- --stack <s> [--to <version id | git ref>]`: back to the previous (or the
// named) build. `wrangler rollback` where Cloudflare allows it; where it refuses (a Durable
// Object migration lies between) or the build is no longer among the Worker's versions, a
// redeploy of the git ref from a temporary worktree. Either way the same verification as a
// deploy, and a summary saying which build is live. Planning is a pure function.
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "../lib/zod.ts";
import { CommandFailure, numberFlag, parseCliArgs, type CommandContext, type CommandOutcome } from "../lib/cli.ts";
import { defaultDeployDeps, deployCommand } from "../lib/deploy-command.ts";
import { DeployError, PreflightError, UsageError, exitCodeFor } from "../lib/errors.ts";
import type { StackOutputs } from "../lib/outputs.ts";
import { classifyWranglerFailure } from "../lib/wrangler.ts";
import { verifyBase, verifyDeployment } from "../lib/verify.ts";
import {
  PROJECT_ROOT,
  buildIdOf,
  listDeployments,
  listVersions,
  loadTarget,
  mainVersionOf,
  runWrangler,
  stackName,
  wranglerError,
  type Deployment,
  type OpsEffects,
  type Version,
} from "./common.ts";
import { defaultEffects } from "./effects.ts";
import { createWorktree, resolveCommit, type ResolvedCommit } from "./worktree.ts";

export const ROLLBACK_USAGE = `Usage: npm run rollback -- --stack <name> [--to <version id | git ref>] [flags]

Puts the previous build back (the last version that served 100% before the current
deployment), or the one you name: a Worker version id (see \`npm run status\`) or a git ref (tag,
branch, sha). Uses \`wrangler rollback\` where Cloudflare allows it. Where it does not (a Durable
Object migration lies between the two versions) or the build is no longer among the Worker's
versions, it redeploys the git ref from a temporary git worktree, keeping this checkout's
Durable Object migrations. Then it verifies like a deploy and says which build is live.

  --stack <name>        Pulumi stack (default: PULUMI_STACK)
  --to <id | ref>       target version id or git ref (default: the previous version)
  --outputs <file>      read the stack outputs from this file instead of pulumi
  --dry-run             print the plan; change nothing
  --verify-timeout <s>  bound on the verification (default 180)
  --json                print one JSON object on stdout
  --help                this text

Exit codes: 0 rolled back and verified; 2 usage (unknown version or ref, bad outputs);
3 credentials; 4 nothing to roll back to, or Cloudflare refused and no git ref is known;
5 wrangler rollback or the redeploy failed; 6 the build did not answer in time.
Environment: DEPLOY_VERIFY_URL verifies against this base URL (local testing).`;

const VERSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type RollbackTarget =
  | { kind: "previous" }
  | { kind: "version"; versionId: string }
  | { kind: "commit"; commit: ResolvedCommit };

export type RollbackPlan =
  /** The target already serves: verify only. */
  | { kind: "already-live"; versionId: string; build: string | null; currentVersionId: string }
  /** `wrangler rollback <versionId>`; if refused for a migration, redeploy `fallbackRef`. */
  | { kind: "wrangler-rollback"; versionId: string; build: string | null; currentVersionId: string; fallbackRef: string | null }
  /** No version of that commit left: deploy it from a worktree. */
  | { kind: "redeploy"; commit: ResolvedCommit; currentVersionId: string | null; reason: string };

/** A build id as the deploy records it: a short sha, "-dirty" when built from a modified tree. */
function cleanSha(build: string | null | undefined): string | null {
  return build && /^[0-9a-f]{7,40}$/.test(build) ? build : null;
}

/** Chooses what to do. Pure. `deployments` and `versions` oldest first, as common.ts returns them. */
export function planRollback(deployments: Deployment[], versions: Version[], target: RollbackTarget): RollbackPlan {
  const current = deployments.at(-1);
  const currentVersionId = mainVersionOf(current);
  const build = (versionId: string) => buildIdOf(versions.find((v) => v.id === versionId)) ?? null;

  if (target.kind === "commit") {
    const { commit } = target;
    // Newest version built from exactly this commit (a clean tree; "-dirty" builds are not it).
    const matches = versions.filter((v) => {
      const sha = cleanSha(buildIdOf(v));
      return sha !== null && commit.sha.startsWith(sha);
    });
    const match = matches.at(-1);
    if (match && match.id === currentVersionId) {
      return { kind: "already-live", versionId: match.id, build: build(match.id), currentVersionId };
    }
    if (match && currentVersionId) {
      return { kind: "wrangler-rollback", versionId: match.id, build: build(match.id), currentVersionId, fallbackRef: commit.sha };
    }
    return {
      kind: "redeploy",
      commit,
      currentVersionId: currentVersionId ?? null,
      reason: `no version built from ${commit.ref} (${commit.short}) is among the Worker's ${versions.length} latest versions`,
    };
  }

  if (!current || !currentVersionId) {
    throw new PreflightError("The Worker has no deployment to roll back from. Deploy it first: npm run deploy -- --stack <stack>.");
  }

  if (target.kind === "version") {
    if (target.versionId === currentVersionId) {
      return { kind: "already-live", versionId: target.versionId, build: build(target.versionId), currentVersionId };
    }
    const known = versions.find((v) => v.id === target.versionId);
    if (!known) {
      throw new UsageError(
        `Version ${target.versionId} is not among the Worker's latest versions (${versions.map((v) => v.id).join(", ") || "none"}). ` +
          `Roll back to a git ref instead: --to <tag or sha>.`,
      );
    }
    return {
      kind: "wrangler-rollback",
      versionId: known.id,
      build: build(known.id),
      currentVersionId,
      fallbackRef: cleanSha(buildIdOf(known)),
    };
  }

  // Previous: the newest earlier deployment whose stable (100%) version is not the current one.
  for (const deployment of [...deployments].reverse().slice(1)) {
    const stable = deployment.versions.find((v) => v.percentage === 100)?.version_id;
    if (stable && stable !== currentVersionId) {
      return { kind: "wrangler-rollback", versionId: stable, build: build(stable), currentVersionId, fallbackRef: cleanSha(build(stable)) };
    }
  }
  throw new PreflightError(
    `Nothing to roll back to: no earlier deployment of another version is left (${deployments.length} deployment(s) listed). ` +
      `Name a build instead: npm run rollback -- --stack <stack> --to <git ref>.`,
  );
}

/**
 * Cloudflare refuses a rollback across a Durable Object migration. Public reports show code
 * 100140 "Failed to rollback due to external resources being modified (durable-object:...)";
 * 10211 (version uploads with a migration) is kept because it has been seen on this path too; or
 * an error line naming both (per line: wrangler's own rollback warning mentions "Durable Object"
 * on its own).
 */
export function isMigrationRefusal(output: string): boolean {
  return (
    /\[code: (100140|10211)\]/.test(output) ||
    output.split("\n").some((line) => (/durable object/i.test(line) && /migration/i.test(line)) || /external resources being modified \(durable-object:/i.test(line))
  );
}

const argsSchema = z.object({
  stack: z.string().trim().min(1).optional(),
  to: z.string().trim().min(1).optional(),
  outputs: z.string().min(1).optional(),
  "dry-run": z.boolean().default(false),
  "verify-timeout": numberFlag({ min: 1, max: 3_600 }).default(180),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

export interface RollbackReport {
  ok: boolean;
  stack: string | null;
  workerName: string | null;
  method: "wrangler-rollback" | "redeploy" | "already-live" | null;
  fromVersionId: string | null;
  versionId: string | null;
  build: string | null;
  ref: string | null;
  verifiedAt: string | null;
  dryRun: boolean;
  notes: string[];
  exitCode: number;
}

export async function rollbackCommand(context: CommandContext, effects: OpsEffects = defaultEffects(context)): Promise<CommandOutcome> {
  const args = parseCliArgs(
    context.argv,
    {
      stack: { type: "string" },
      to: { type: "string" },
      outputs: { type: "string" },
      "dry-run": { type: "boolean" },
      "verify-timeout": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    argsSchema,
    ROLLBACK_USAGE,
  );
  if (args.help) return { exitCode: 0, summary: ROLLBACK_USAGE };
  context.setJsonMode(args.json);
  const stack = stackName(args.stack, effects.env);
  if (!stack && !args.outputs) throw new UsageError(`No stack given: pass --stack <name> (or set PULUMI_STACK).\n\n${ROLLBACK_USAGE}`);

  const report: RollbackReport = {
    ok: false,
    stack: stack ?? null,
    workerName: null,
    method: null,
    fromVersionId: null,
    versionId: null,
    build: null,
    ref: null,
    verifiedAt: null,
    dryRun: args["dry-run"],
    notes: [],
    exitCode: 0,
  };
  const note = (message: string) => {
    report.notes.push(effects.masker.mask(message));
    effects.logger.info(message);
  };

  try {
    const outputs = await loadTarget(effects, { stack, outputsFile: args.outputs });
    report.workerName = outputs.workerName;
    report.stack = stack ?? outputs.environment;

    effects.logger.step("Versions");
    const target: RollbackTarget =
      args.to === undefined
        ? { kind: "previous" }
        : VERSION_ID.test(args.to)
          ? { kind: "version", versionId: args.to.toLowerCase() }
          : { kind: "commit", commit: await resolveCommit(effects.run, PROJECT_ROOT, args.to) };
    const [deployments, versions] = await Promise.all([listDeployments(effects, outputs), listVersions(effects, outputs)]);
    const plan = planRollback(deployments, versions, target);
    report.fromVersionId = plan.currentVersionId;
    effects.logger.info(describePlan(plan));

    if (args["dry-run"]) {
      report.ok = true;
      report.method = plan.kind;
      report.versionId = plan.kind === "redeploy" ? null : plan.versionId;
      report.build = plan.kind === "redeploy" ? plan.commit.short : plan.build;
      report.ref = plan.kind === "redeploy" ? plan.commit.ref : plan.kind === "wrangler-rollback" ? plan.fallbackRef : null;
      return { exitCode: 0, summary: `Dry run (nothing changed): ${describePlan(plan)}`, json: { ...report } };
    }

    let executed: "wrangler-rollback" | "redeploy" | "already-live" = plan.kind;
    if (plan.kind === "wrangler-rollback") {
      effects.logger.step(`wrangler rollback ${plan.versionId}`);
      const message = `rollback to ${plan.build ?? plan.versionId} (npm run rollback)`;
      const result = await runWrangler(effects, outputs, {
        args: ["rollback", plan.versionId, "--name", outputs.workerName, "--message", message, "--yes"],
        stream: true,
      });
      const output = `${result.stdout}\n${result.stderr}`;
      if (result.exitCode === 0 && !result.timedOut) {
        report.versionId = plan.versionId;
        report.build = plan.build;
        report.ref = plan.fallbackRef;
      } else if (isMigrationRefusal(output)) {
        const refusal = classifyWranglerFailure({ output }).reason;
        if (!plan.fallbackRef) {
          throw new PreflightError(
            `Cloudflare refused to roll back to version ${plan.versionId}: a Durable Object migration lies between it and the current version (${refusal}).\n` +
              `That version records no git commit to rebuild it from. Redeploy the build by its git ref instead: npm run rollback -- --stack ${report.stack} --to <tag or sha>.`,
          );
        }
        note(`Cloudflare refused the rollback: a Durable Object migration lies between the versions (${refusal}). Redeploying ${plan.fallbackRef.slice(0, 12)} from a git worktree instead.`);
        const commit = await resolveCommit(effects.run, PROJECT_ROOT, plan.fallbackRef).catch(() => {
          throw new PreflightError(
            `Cloudflare refused to roll back to version ${plan.versionId} (a Durable Object migration lies between), and its commit ${plan.fallbackRef} is not in this clone. Run \`git fetch --tags\` and try again.`,
          );
        });
        Object.assign(report, await redeploy(context, effects, outputs, commit, args["verify-timeout"] * 1000));
        executed = "redeploy";
      } else {
        throw wranglerError(result, `wrangler rollback ${plan.versionId}`);
      }
    } else if (plan.kind === "redeploy") {
      note(`Redeploying ${plan.commit.ref}: ${plan.reason}.`);
      Object.assign(report, await redeploy(context, effects, outputs, plan.commit, args["verify-timeout"] * 1000));
    } else {
      report.versionId = plan.versionId;
      report.build = plan.build;
      note(`Version ${plan.versionId}${plan.build ? ` (build ${plan.build})` : ""} already serves; verifying only.`);
    }
    report.method = executed;

    if (executed !== "redeploy") {
      // The redeploy verified already (it is a deploy); the other two verify here, the same way.
      const base = verifyBase(effects.env, outputs);
      effects.logger.step(`Verify ${base}`);
      if (!report.build) note(`Version ${report.versionId} records no build id: checking /health answers, not which build.`);
      await verifyDeployment({
        base,
        buildId: report.build ?? undefined,
        origin: outputs.allowedOrigins[0],
        timeoutMs: args["verify-timeout"] * 1000,
        logger: effects.logger,
        fetch: effects.fetch,
        sleep: effects.sleep,
      });
      report.verifiedAt = base;
    }
    report.ok = true;
    return { exitCode: 0, summary: renderRollback(report, outputs), json: { ...report } };
  } catch (error) {
    report.exitCode = exitCodeFor(error instanceof CommandFailure ? error.error : error);
    if (error instanceof CommandFailure) throw new CommandFailure(error.error, { ...report, deploy: error.json });
    throw new CommandFailure(error, { ...report });
  }
}

function describePlan(plan: RollbackPlan): string {
  switch (plan.kind) {
    case "already-live":
      return `version ${plan.versionId}${plan.build ? ` (build ${plan.build})` : ""} is already live`;
    case "wrangler-rollback":
      return `roll back from version ${plan.currentVersionId} to ${plan.versionId}${plan.build ? ` (build ${plan.build})` : ""} with wrangler rollback`;
    case "redeploy":
      return `redeploy ${plan.commit.ref} (${plan.commit.short}) from a git worktree: ${plan.reason}`;
  }
}

/** Deploys `commit` with this checkout's deploy tooling, from a temporary worktree. */
async function redeploy(
  context: CommandContext,
  effects: OpsEffects,
  outputs: StackOutputs,
  commit: ResolvedCommit,
  verifyTimeoutMs: number,
): Promise<Partial<RollbackReport>> {
  effects.logger.step(`Redeploy ${commit.ref} (${commit.short}) from a git worktree`);
  const worktree = await createWorktree({ run: effects.run, logger: effects.logger, projectRoot: PROJECT_ROOT, commit });
  // The outputs go to the deploy as a file only this user can read, removed right after.
  const secretsDir = await mkdtemp(path.join(tmpdir(), "perudo-rollback-outputs-"));
  const outputsFile = path.join(secretsDir, "outputs.json");
  try {
    await writeFile(outputsFile, JSON.stringify(outputs), { mode: 0o600 });
    await chmod(outputsFile, 0o600);
    const outcome = await deployCommand(
      {
        ...context,
        argv: ["--outputs", outputsFile, "--build-id", commit.short, "--verify-timeout", String(Math.ceil(verifyTimeoutMs / 1000))],
        setJsonMode: () => {},
      },
      { ...defaultDeployDeps, run: effects.run, fetch: effects.fetch, sleep: effects.sleep, projectRoot: worktree.dir, buildPage: undefined },
    );
    const deployed = (outcome.json ?? {}) as { versionId?: string | null; verifiedAt?: string | null };
    return {
      versionId: deployed.versionId ?? null,
      build: commit.short,
      ref: commit.ref,
      verifiedAt: deployed.verifiedAt ?? null,
    };
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    throw error instanceof Error ? error : new DeployError(String(error));
  } finally {
    await rm(secretsDir, { recursive: true, force: true });
    await worktree.remove();
  }
}

function renderRollback(report: RollbackReport, outputs: StackOutputs): string {
  const how =
    report.method === "wrangler-rollback"
      ? "wrangler rollback"
      : report.method === "redeploy"
        ? `redeploy of ${report.ref} from a git worktree`
        : "nothing to change";
  return [
    `Live on stack ${report.stack}: ${outputs.workerName} build ${report.build ?? "(unknown)"}, version ${report.versionId ?? "(not reported)"}`,
    `  Method:       ${how}`,
    `  Was:          version ${report.fromVersionId ?? "-"}`,
    `  Verified at:  ${report.verifiedAt ?? "-"} (/health build + WebSocket welcome/state)`,
    ...report.notes.map((n) => `  Note:         ${n}`),
  ].join("\n");
}
