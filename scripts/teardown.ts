// npm run teardown -- --stack <name>  (see scripts/ops/teardown.ts and docs/operations.md)
import { runCli } from "./lib/cli.js";
import { teardownCommand } from "./ops/teardown.js";

await runCli((context) => teardownCommand(context));
