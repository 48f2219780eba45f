// npm run rotate-token -- --stack <name>  (see scripts/ops/rotate-token.ts and docs/operations.md)
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { rotateTokenCommand } from "./ops/rotate-token.ts";

await runCli((context) => rotateTokenCommand(context));
