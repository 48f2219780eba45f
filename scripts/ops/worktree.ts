// A temporary git worktree of an older commit, ready to be deployed by the current deploy
// tooling: dependencies from this checkout, and the Durable Object migrations of this checkout
// (migrations only go forward: the live Worker is already at the newest tag).
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DeployError, UsageError } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { RunCommand } from "../lib/process.ts";
import { parseJsonc } from "./jsonc.ts";

export interface ResolvedCommit {
  ref: string;
  sha: string;
  /** `git rev-parse --short`: the form the deploy uses as its build id. */
  short: string;
}

/** `git rev-parse` of a ref to a commit; UsageError when git does not know it. */
export async function resolveCommit(run: RunCommand, cwd: string, ref: string): Promise<ResolvedCommit> {
  if (ref.startsWith("-")) throw new UsageError(`--to ${ref}: not a version id or a git ref.`);
  const full = await run("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd, timeoutMs: 15_000 });
  if (full.spawnError || full.exitCode !== 0 || !full.stdout.trim()) {
    throw new UsageError(
      `--to ${ref} is neither a version id of this Worker nor a commit git knows here. ` +
        `List versions with \`npm run status -- --stack <stack>\`; fetch tags and branches with \`git fetch --tags\`.`,
    );
  }
  const sha = full.stdout.trim();
  const short = await run("git", ["rev-parse", "--short", sha], { cwd, timeoutMs: 15_000 });
  return { ref, sha, short: short.stdout.trim() || sha.slice(0, 7) };
}

type WranglerConfig = { migrations?: { tag?: string }[] } & Record<string, unknown>;

function migrationTags(config: WranglerConfig): string[] {
  return (config.migrations ?? []).map((m) => String(m.tag ?? ""));
}

export interface Worktree {
  dir: string;
  /** Whether the worktree's wrangler.jsonc got this checkout's migrations. */
  migrationsReplaced: boolean;
  remove(): Promise<void>;
}

export async function createWorktree(options: {
  run: RunCommand;
  logger: Logger;
  projectRoot: string;
  commit: ResolvedCommit;
}): Promise<Worktree> {
  const { run, logger, projectRoot, commit } = options;
  const parent = await mkdtemp(path.join(tmpdir(), "perudo-rollback-"));
  const dir = path.join(parent, commit.short);
  const remove = async () => {
    await run("git", ["worktree", "remove", "--force", dir], { cwd: projectRoot, timeoutMs: 60_000 });
    await rm(parent, { recursive: true, force: true });
    await run("git", ["worktree", "prune"], { cwd: projectRoot, timeoutMs: 60_000 });
  };
  const added = await run("git", ["worktree", "add", "--detach", dir, commit.sha], { cwd: projectRoot, timeoutMs: 120_000 });
  if (added.spawnError || added.exitCode !== 0) {
    await rm(parent, { recursive: true, force: true });
    throw new DeployError(`git worktree add ${commit.short} failed: ${added.stderr.trim() || added.spawnError?.message}`);
  }
  try {
    logger.info(`checked out ${commit.ref} (${commit.short}) into ${dir}`);
    await symlink(path.join(projectRoot, "node_modules"), path.join(dir, "node_modules"), "dir");

    const liveConfig = parseJsonc(await readFile(path.join(projectRoot, "wrangler.jsonc"), "utf8")) as WranglerConfig;
    const oldPath = path.join(dir, "wrangler.jsonc");
    let oldConfig: WranglerConfig;
    try {
      oldConfig = parseJsonc(await readFile(oldPath, "utf8")) as WranglerConfig;
    } catch (error) {
      throw new DeployError(`${commit.ref} has no readable wrangler.jsonc (${(error as Error).message}); it cannot be deployed by this tooling.`);
    }
    const live = migrationTags(liveConfig);
    const old = migrationTags(oldConfig);
    let migrationsReplaced = false;
    if (live.join(",") !== old.join(",")) {
      // Re-applying older migrations (or none) would be refused; keep the newest history.
      oldConfig.migrations = liveConfig.migrations ?? [];
      await writeFile(oldPath, `${JSON.stringify(oldConfig, null, 2)}\n`);
      migrationsReplaced = true;
      logger.info(
        `${commit.short} declares Durable Object migrations [${old.join(", ") || "none"}]; deploying it with this checkout's [${live.join(", ")}] (migrations never go back)`,
      );
    }
    await buildIfNeeded(run, logger, dir, commit);
    return { dir, migrationsReplaced, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Commits since the play page build what wrangler deploys from a build step (`npm run build`:
 * dist/page, the Worker's static assets). Older commits have no build script and need nothing.
 */
async function buildIfNeeded(run: RunCommand, logger: Logger, dir: string, commit: ResolvedCommit): Promise<void> {
  let scripts: Record<string, unknown> = {};
  try {
    scripts = (JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")) as { scripts?: Record<string, unknown> }).scripts ?? {};
  } catch {
    return;
  }
  if (typeof scripts["build"] !== "string") return;
  const built = await run("npm", ["run", "build"], { cwd: dir, timeoutMs: 180_000 });
  if (built.spawnError || built.exitCode !== 0) {
    // The worktree borrows this checkout's node_modules, so a commit whose build needs tools this
    // checkout no longer installs (e.g. tsx, before Node ran TypeScript itself) fails here.
    throw new DeployError(
      `npm run build failed in the ${commit.short} worktree: ${built.stderr.trim() || built.spawnError?.message}\n` +
        `The worktree uses this checkout's node_modules. If ${commit.short} needs other dependencies, deploy it from its own ` +
        `checkout: git worktree add ../rollback-${commit.short} ${commit.short} && cd ../rollback-${commit.short} && npm ci && npm run deploy -- --stack <stack>.`,
    );
  }
  logger.info(`built ${commit.short} (npm run build)`);
}
