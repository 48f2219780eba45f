// The build id: passed to the Worker as BUILD_ID (served by /health) and used as the version
// tag, so "is the new build live?" is a string comparison.
import { UsageError } from "./errors.ts";
import type { RunCommand } from "./process.ts";

export const BUILD_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateBuildId(buildId: string): string {
  if (!BUILD_ID_PATTERN.test(buildId)) {
    throw new UsageError(
      `--build-id ${JSON.stringify(buildId)} is not usable: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.`,
    );
  }
  return buildId;
}

/** `git rev-parse --short HEAD`, plus "-dirty" when tracked files differ from HEAD. */
export async function defaultBuildId(run: RunCommand, cwd: string): Promise<string> {
  const head = await run("git", ["rev-parse", "--short", "HEAD"], { cwd, timeoutMs: 15_000 });
  if (head.spawnError || head.exitCode !== 0 || !head.stdout.trim()) {
    throw new UsageError("Cannot derive a build id from git (not a git checkout, or no commit yet): pass --build-id <id>.");
  }
  const status = await run("git", ["status", "--porcelain", "--untracked-files=no"], { cwd, timeoutMs: 15_000 });
  const dirty = status.exitCode === 0 && status.stdout.trim() !== "";
  return `${head.stdout.trim()}${dirty ? "-dirty" : ""}`;
}
