// npm run status -- --stack <name>  (see scripts/ops/status.ts and docs/operations.md)
import { runCli } from "./lib/cli.ts";
import { statusCommand } from "./ops/status.ts";

await runCli((context) => statusCommand(context));
