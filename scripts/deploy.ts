// npm run deploy -- --stack <name> [flags]  (see scripts/lib/deploy-command.ts and README "Deploy")
import { runCli } from "./lib/cli.ts";
import { deployCommand } from "./lib/deploy-command.ts";

await runCli((context) => deployCommand(context));
