// npm run rotate-token -- --stack <name>  (see scripts/ops/rotate-token.ts and docs/operations.md)
import { runCli } from "./lib/cli.ts";
import { rotateTokenCommand } from "./ops/rotate-token.ts";

await runCli((context) => rotateTokenCommand(context));
