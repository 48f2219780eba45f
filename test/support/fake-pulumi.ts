// The fake `pulumi` for the deploy and ops tests (fake-pulumi.mjs, next to this file) and the
// state directory it answers from: one <stack>.json of outputs per stack, and calls.jsonl.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The executable. It reads its state directory from FAKE_PULUMI_STATE. */
export const FAKE_PULUMI_BIN = path.join(import.meta.dirname, "fake-pulumi.mjs");

/**
 * Writes one <stack>.json per stack into `dir` (as `pulumi stack output --json --show-secrets`
 * prints it; a string verbatim, to serve unparsable outputs) and an empty calls.jsonl.
 * Returns `dir`.
 */
export function writePulumiState(dir: string, stacks: Record<string, unknown>): string {
  for (const [stack, outputs] of Object.entries(stacks)) {
    const text = typeof outputs === "string" ? outputs : JSON.stringify(outputs, null, 2);
    writeFileSync(path.join(dir, `${stack}.json`), text);
  }
  writeFileSync(path.join(dir, "calls.jsonl"), "");
  return dir;
}

/** What a child needs to run the fake as its `pulumi`, answering from `stateDir` when given. */
export function fakePulumiEnv(stateDir?: string): Record<string, string> {
  return { PULUMI_BIN: FAKE_PULUMI_BIN, ...(stateDir ? { FAKE_PULUMI_STATE: stateDir } : {}) };
}

/** The argument lists the fake was called with, in order. */
export function pulumiCalls(stateDir: string): string[][] {
  return readFileSync(path.join(stateDir, "calls.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
}
