// npm run rotate-token -- --stack <name>  (see scripts/ops/rotate-token.ts and docs/operations.md)
import { runCli } from "./lib/cli.js";
import { rotateTokenCommand } from "./ops/rotate-token.js";

await runCli((context) => rotateTokenCommand(context));
