// The real effects behind OpsEffects, for the command entry points.
import type { CommandContext } from "../lib/cli.js";
import { runCommand } from "../lib/process.js";
import { realSleep } from "../lib/retry.js";
import type { OpsEffects } from "./common.js";

export function defaultEffects(context: CommandContext): OpsEffects {
  return {
    env: context.env,
    run: runCommand,
    fetch: (input, init) => fetch(input, init),
    sleep: realSleep,
    now: () => new Date(),
    logger: context.logger,
    masker: context.masker,
  };
}
