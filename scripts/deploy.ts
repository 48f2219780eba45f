// npm run deploy -- --stack <name> [flags]  (see scripts/lib/deploy-command.ts and README "Deploy")
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { deployCommand } from "./lib/deploy-command.ts";

await runCli((context) => deployCommand(context));
