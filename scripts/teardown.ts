// npm run teardown -- --stack <name>  (see scripts/ops/teardown.ts and docs/operations.md)
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { teardownCommand }] = await Promise.all([import("./lib/cli.ts"), import("./ops/teardown.ts")]);
await runCli((context) => teardownCommand(context));
