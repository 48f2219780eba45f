// npm run status -- --stack <name>  (see scripts/ops/status.ts and docs/operations.md)
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { statusCommand } from "./ops/status.ts";

await runCli((context) => statusCommand(context));
