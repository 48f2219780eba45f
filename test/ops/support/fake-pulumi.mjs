#!/usr/bin/env node
// A stand-in for the pulumi CLI in ops tests. State lives in $FAKE_PULUMI_STATE:
//   <stack>.json        what `pulumi stack output --json --show-secrets --stack <stack>` prints
//   <stack>.next.json   if present, `pulumi up --stack <stack>` makes it the new outputs
//   (`config set` is accepted and only recorded)
//   calls.jsonl         every invocation's argv, one JSON array per line
import { appendFileSync, existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";

const dir = process.env.FAKE_PULUMI_STATE;
if (!dir) {
  console.error("fake-pulumi: FAKE_PULUMI_STATE is not set");
  process.exit(1);
}
const args = process.argv.slice(2);
appendFileSync(path.join(dir, "calls.jsonl"), `${JSON.stringify(args)}\n`);
const flag = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const stack = flag("--stack") ?? flag("-s");
const outputsFile = stack ? path.join(dir, `${stack}.json`) : undefined;
const noStack = () => {
  console.error(`error: no stack named '${stack}' found`);
  process.exit(255);
};

if (args[0] === "stack" && args[1] === "output") {
  if (!outputsFile || !existsSync(outputsFile)) noStack();
  process.stdout.write(readFileSync(outputsFile, "utf8"));
} else if (args[0] === "up") {
  if (!outputsFile || !existsSync(outputsFile)) noStack();
  const next = path.join(dir, `${stack}.next.json`);
  if (existsSync(next)) renameSync(next, outputsFile);
  console.log(`Updating (${stack}):\nResources:\n    ~ 1 updated\nDuration: 1s`);
} else if (args[0] === "config" && args[1] === "set") {
  if (!outputsFile || !existsSync(outputsFile)) noStack();
} else if (args[0] === "destroy") {
  if (!outputsFile || !existsSync(outputsFile)) noStack();
  console.log(`Destroying (${stack}):\nResources:\n    - 6 deleted\nDuration: 1s`);
} else {
  console.error(`fake-pulumi: unsupported command: ${args.join(" ")}`);
  process.exit(2);
}
