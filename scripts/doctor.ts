// npm run doctor -- --stack <name>  (see scripts/ops/doctor.ts and docs/operations.md)
import { runCli } from "./lib/cli.ts";
import { doctorCommand } from "./ops/doctor.ts";

await runCli((context) => doctorCommand(context));
