// npm run deploy -- --stack <name> [flags]  (see scripts/lib/deploy-command.ts and README "Deploy")
import { runCli } from "./lib/cli.js";
import { deployCommand } from "./lib/deploy-command.js";

await runCli((context) => deployCommand(context));
