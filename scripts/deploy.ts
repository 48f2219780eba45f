// npm run deploy -- --stack <name> [flags]  (see scripts/lib/deploy-command.ts and README "Deploy")
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { deployCommand }] = await Promise.all([import("./lib/cli.ts"), import("./lib/deploy-command.ts")]);
await runCli((context) => deployCommand(context));
