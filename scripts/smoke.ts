// npm run smoke -- --url <base> [--build-id <id>]  (see scripts/lib/smoke-command.ts)
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { smokeCommand } from "./lib/smoke-command.ts";

await runCli((context) => smokeCommand(context));
