// npm run doctor -- --stack <name>  (see scripts/ops/doctor.ts and docs/operations.md)
import { enableStartupCache } from "./lib/startup.ts";

enableStartupCache();
const [{ runCli }, { doctorCommand }] = await Promise.all([import("./lib/cli.ts"), import("./ops/doctor.ts")]);
await runCli((context) => doctorCommand(context));
