// npm run smoke -- --url <base> [--build-id <id>]  (see scripts/lib/smoke-command.ts)
import { runCli } from "./lib/cli.ts";
import { smokeCommand } from "./lib/smoke-command.ts";

await runCli((context) => smokeCommand(context));
