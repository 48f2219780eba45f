// npm run rotate-token -- --stack <name>  (see scripts/ops/rotate-token.ts and docs/operations.md)
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { rotateTokenCommand }] = await Promise.all([import("./lib/cli.ts"), import("./ops/rotate-token.ts")]);
await runCli((context) => rotateTokenCommand(context));
