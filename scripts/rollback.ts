// npm run rollback -- --stack <name> [--to <version id | git ref>]  (see scripts/ops/rollback.ts)
import { runCli } from "./lib/cli.ts";
import { rollbackCommand } from "./ops/rollback.ts";

await runCli((context) => rollbackCommand(context));
