// npm run doctor -- --stack <name>  (see scripts/ops/doctor.ts and docs/operations.md)
// npm runs it with the compile-cache preload (scripts/compile-cache.mjs; see package.json).
import { runCli } from "./lib/cli.ts";
import { doctorCommand } from "./ops/doctor.ts";

await runCli((context) => doctorCommand(context));
