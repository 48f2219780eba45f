// A fake `pulumi` executable for deploy tests (PULUMI_BIN): answers
// `pulumi stack output --json [--show-secrets] --stack <name>` from a table of stacks, and fails
// like pulumi (stderr "error: no stack named 'x' found", exit 255) for unknown ones.
import { chmod, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface FakePulumi {
  /** Path to the executable: set PULUMI_BIN to it. */
  bin: string;
  /** Argument lists it was called with, in order. */
  calls(): Promise<string[][]>;
}

/**
 * Writes the executable into `dir`. A stack's value is printed as JSON, or verbatim when it is
 * a string (to test unparsable output). Without --show-secrets, deployToken prints as
 * "[secret]", as pulumi does.
 */
export async function writeFakePulumi(dir: string, stacks: Record<string, unknown>): Promise<FakePulumi> {
  const bin = path.join(dir, "pulumi");
  const stacksFile = path.join(dir, "fake-pulumi-stacks.json");
  const callsFile = path.join(dir, "fake-pulumi-calls.ndjson");
  await writeFile(stacksFile, JSON.stringify(stacks));
  await writeFile(callsFile, "");
  const script = `#!/usr/bin/env node
"use strict";
const fs = require("node:fs");
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(callsFile)}, JSON.stringify(args) + "\\n");
const stacks = JSON.parse(fs.readFileSync(${JSON.stringify(stacksFile)}, "utf8"));
const flag = (name, short) => {
  const index = args.findIndex((arg) => arg === name || (short && arg === short));
  if (index >= 0) return args[index + 1];
  const inline = args.find((arg) => arg.startsWith(name + "="));
  return inline ? inline.slice(name.length + 1) : undefined;
};
if (args[0] !== "stack" || args[1] !== "output") {
  process.stderr.write("error: fake pulumi only knows 'stack output'\\n");
  process.exit(255);
}
const name = flag("--stack", "-s");
if (!name) {
  process.stderr.write("error: no stack selected; please use \`pulumi stack select\`\\n");
  process.exit(255);
}
if (!Object.prototype.hasOwnProperty.call(stacks, name)) {
  process.stderr.write("error: no stack named '" + name + "' found\\n");
  process.exit(255);
}
const outputs = stacks[name];
if (typeof outputs === "string") {
  process.stdout.write(outputs);
  process.exit(0);
}
const shown = args.includes("--show-secrets") ? outputs : { ...outputs, ...("deployToken" in outputs ? { deployToken: "[secret]" } : {}) };
process.stdout.write(JSON.stringify(shown, null, 4) + "\\n");
`;
  await writeFile(bin, script);
  await chmod(bin, 0o755);
  return {
    bin,
    calls: async () =>
      (await readFile(callsFile, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[]),
  };
}
