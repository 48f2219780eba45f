// npm run status -- --stack <name>  (see scripts/ops/status.ts and docs/operations.md)
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { statusCommand }] = await Promise.all([import("./lib/cli.ts"), import("./ops/status.ts")]);
await runCli((context) => statusCommand(context));
