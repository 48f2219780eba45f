// npm run rollback -- --stack <name> [--to <version id | git ref>]  (see scripts/ops/rollback.ts)
import { runCli } from "./lib/cli.js";
import { rollbackCommand } from "./ops/rollback.js";

await runCli((context) => rollbackCommand(context));
