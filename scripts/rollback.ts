// npm run rollback -- --stack <name> [--to <version id | git ref>]  (see scripts/ops/rollback.ts)
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { rollbackCommand }] = await Promise.all([import("./lib/cli.ts"), import("./ops/rollback.ts")]);
await runCli((context) => rollbackCommand(context));
