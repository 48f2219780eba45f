#!/usr/bin/env node
// A stand-in for the pulumi CLI (PULUMI_BIN) in the deploy and ops tests. State lives in the
// directory $FAKE_PULUMI_STATE (test/support/fake-pulumi.ts writes it):
//   <stack>.json        what `pulumi stack output --json --show-secrets --stack <stack>` prints
//                       (verbatim, so a test can serve unparsable outputs); without
//                       --show-secrets deployToken prints as "[secret]", as pulumi does
//   <stack>.next.json   if present, `pulumi up --stack <stack>` makes it the new outputs
//   <stack>.config.json what `pulumi config --json --stack <stack>` prints (the doctor reads it)
//   calls.jsonl         every invocation's argv, one JSON array per line
// `config set` is accepted and only recorded; `destroy` prints a summary. A stack without a
// file fails like pulumi: stderr "error: no stack named 'x' found", exit 255.
import { appendFileSync, existsSync, readFileSync, renameSync } from "node:fs";
import path from "node:path";

const dir = process.env.FAKE_PULUMI_STATE;
if (!dir) {
  console.error("fake-pulumi: FAKE_PULUMI_STATE is not set");
  process.exit(1);
}
const args = process.argv.slice(2);
appendFileSync(path.join(dir, "calls.jsonl"), `${JSON.stringify(args)}\n`);
const flag = (name, short) => {
  const index = args.findIndex((arg) => arg === name || arg === short);
  if (index >= 0) return args[index + 1];
  const inline = args.find((arg) => arg.startsWith(`${name}=`));
  return inline?.slice(name.length + 1);
};
const command = ["stack output", "up", "config set", "config", "destroy"].find((known) =>
  known.split(" ").every((word, index) => args[index] === word),
);
if (!command) {
  console.error(`fake-pulumi: unsupported command: ${args.join(" ")}`);
  process.exit(2);
}
const stack = flag("--stack", "-s");
if (!stack) {
  console.error("error: no stack selected; please use `pulumi stack select`");
  process.exit(255);
}
const outputsFile = path.join(dir, `${stack}.json`);
if (!existsSync(outputsFile)) {
  console.error(`error: no stack named '${stack}' found`);
  process.exit(255);
}

if (command === "config") {
  const configFile = path.join(dir, `${stack}.config.json`);
  process.stdout.write(existsSync(configFile) ? readFileSync(configFile, "utf8") : "{}\n");
} else if (command === "stack output") {
  const text = readFileSync(outputsFile, "utf8");
  process.stdout.write(args.includes("--show-secrets") ? text : withoutSecrets(text));
} else if (command === "up") {
  const next = path.join(dir, `${stack}.next.json`);
  if (existsSync(next)) renameSync(next, outputsFile);
  console.log(`Updating (${stack}):\nResources:\n    ~ 1 updated\nDuration: 1s`);
} else if (command === "destroy") {
  console.log(`Destroying (${stack}):\nResources:\n    - 6 deleted\nDuration: 1s`);
}
// `config set` is only recorded.

/** The outputs as pulumi prints them without --show-secrets (unparsable text stays as it is). */
function withoutSecrets(text) {
  let outputs;
  try {
    outputs = JSON.parse(text);
  } catch {
    return text;
  }
  if (outputs === null || typeof outputs !== "object" || !("deployToken" in outputs)) return text;
  return `${JSON.stringify({ ...outputs, deployToken: "[secret]" }, null, 4)}\n`;
}
