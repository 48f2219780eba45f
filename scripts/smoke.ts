// npm run smoke -- --url <base> [--build-id <id>]  (see scripts/lib/smoke-command.ts)
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { smokeCommand }] = await Promise.all([import("./lib/cli.ts"), import("./lib/smoke-command.ts")]);
await runCli((context) => smokeCommand(context));
