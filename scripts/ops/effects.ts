// The real effects behind OpsEffects, for the command entry points.
import type { CommandContext } from "../lib/cli.ts";
import { runCommand } from "../lib/process.ts";
import { realSleep } from "../lib/retry.ts";
import type { OpsEffects } from "./common.ts";

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
