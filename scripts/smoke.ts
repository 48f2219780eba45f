// npm run smoke -- --url <base> [--build-id <id>]  (see scripts/lib/smoke-command.ts)
import { runCli } from "./lib/cli.js";
import { smokeCommand } from "./lib/smoke-command.js";

await runCli((context) => smokeCommand(context));
