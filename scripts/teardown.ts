// npm run teardown -- --stack <name>  (see scripts/ops/teardown.ts and docs/operations.md)
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { teardownCommand } from "./ops/teardown.ts";

await runCli((context) => teardownCommand(context));
