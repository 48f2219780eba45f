// npm run rollback -- --stack <name> [--to <version id | git ref>]  (see scripts/ops/rollback.ts)
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { rollbackCommand } from "./ops/rollback.ts";

await runCli((context) => rollbackCommand(context));
