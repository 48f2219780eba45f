// npm run status -- --stack <name>  (see scripts/ops/status.ts and docs/operations.md)
import { runCli } from "./lib/cli.js";
import { statusCommand } from "./ops/status.js";

await runCli((context) => statusCommand(context));
