// npm run teardown -- --stack <name>  (see scripts/ops/teardown.ts and docs/operations.md)
import { runCli } from "./lib/cli.ts";
import { teardownCommand } from "./ops/teardown.ts";

await runCli((context) => teardownCommand(context));
