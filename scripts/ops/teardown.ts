// `npm run teardown -- --stack <s>`: deletes the stack's Worker with `wrangler delete` and the
// stack's own token, after saying exactly what goes with it and getting a yes; then tells the
// operator to run `pulumi destroy` (or runs it with --destroy-stack). prod needs --i-mean-prod.
import { z } from "../lib/zod.ts";
import type { CommandContext, CommandOutcome } from "../lib/cli.ts";
import { parseCliArgs } from "../lib/cli.ts";
import { DeployError, UsageError } from "../lib/errors.ts";
import { pulumiBin, type StackOutputs } from "../lib/outputs.ts";
import {
  PULUMI_DIR,
  cloudflareClient,
  loadTarget,
  runWrangler,
  stackName,
  wranglerError,
  type Confirm,
  type OpsEffects,
} from "./common.ts";
import { defaultEffects } from "./effects.ts";
import { terminalConfirm } from "./prompt.ts";

export const TEARDOWN_USAGE = `Usage: npm run teardown -- --stack <name> [--yes] [--i-mean-prod] [--destroy-stack] [--outputs <file>] [--json]

Deletes the stack's Worker (wrangler delete, with the stack's own deploy token). Its Custom
Domains and every Durable Object, with all stored rooms, are deleted with it; this cannot be
undone. Then run \`pulumi destroy --stack <name>\` at the repository root (where Pulumi.yaml is) to remove
the DNS records, the deploy token and the rest of the stack, or pass --destroy-stack to have this
command run it there.

  --stack <name>     Pulumi stack (default: PULUMI_STACK)
  --yes              do not ask (required when there is no terminal, e.g. in CI)
  --i-mean-prod      required to tear down the prod stack
  --destroy-stack    afterwards run \`pulumi destroy --stack <name> --yes\` at the repository root
  --outputs <file>   read the stack outputs from this file instead of pulumi
  --json             print one JSON object on stdout
  --help             this text

Exit codes: 0 deleted; 2 usage (no confirmation, prod without --i-mean-prod, bad outputs);
3 the deploy token was refused; 5 wrangler delete or pulumi destroy failed.`;

/** Stacks that need --i-mean-prod. */
export function isProduction(stack: string | undefined, outputs: Pick<StackOutputs, "environment"> | undefined): boolean {
  const names = [stack, outputs?.environment].filter((n): n is string => typeof n === "string").map((n) => n.toLowerCase());
  return names.some((name) => name === "prod" || name === "production" || name.endsWith("/prod"));
}

/** What the operator is told before being asked. Pure. */
export function describeTeardown(outputs: StackOutputs, customDomains: string[] | null, stack: string | undefined): string {
  const domains =
    customDomains === null
      ? "its Custom Domains (could not list them)"
      : customDomains.length > 0
        ? `its Custom Domains: ${customDomains.join(", ")}`
        : "its Custom Domains (none attached)";
  return [
    `This deletes the Worker ${outputs.workerName} from Cloudflare account ${outputs.accountId} (stack ${stack ?? outputs.environment}).`,
    `Going with it:`,
    `  - ${domains}${outputs.routing === "route" ? `, and its route ${outputs.domain}/*` : ""};`,
    `  - every Durable Object of the Worker, with all stored rooms and games;`,
    `  - all its versions and deployments (nothing to roll back to).`,
    `${outputs.domain} stops answering. This cannot be undone.`,
  ].join("\n");
}

const argsSchema = z.object({
  stack: z.string().min(1).optional(),
  outputs: z.string().min(1).optional(),
  yes: z.boolean().default(false),
  "i-mean-prod": z.boolean().default(false),
  "destroy-stack": z.boolean().default(false),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

export interface TeardownDeps {
  /** Whether a person can be asked (stdin and stderr are terminals). */
  isTTY: boolean;
  confirm: Confirm;
}

export async function teardownCommand(
  context: CommandContext,
  effects: OpsEffects = defaultEffects(context),
  deps: TeardownDeps = { isTTY: Boolean(process.stdin.isTTY && process.stderr.isTTY), confirm: terminalConfirm },
): Promise<CommandOutcome> {
  const args = parseCliArgs(
    context.argv,
    {
      stack: { type: "string" },
      outputs: { type: "string" },
      yes: { type: "boolean", short: "y" },
      "i-mean-prod": { type: "boolean" },
      "destroy-stack": { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    argsSchema,
    TEARDOWN_USAGE,
  );
  if (args.help) return { exitCode: 0, summary: TEARDOWN_USAGE };
  context.setJsonMode(args.json);
  const stack = stackName(args.stack, effects.env);
  if (!stack && !args.outputs) throw new UsageError(`No stack given: pass --stack <name> (or set PULUMI_STACK).\n\n${TEARDOWN_USAGE}`);
  if (args["destroy-stack"] && !stack) throw new UsageError("--destroy-stack needs --stack <name> (pulumi destroy acts on a stack).");
  // Refuse prod before reading anything, and again once the outputs name the environment.
  const refuseProd = () =>
    new UsageError(
      `Refusing to tear down production (stack ${stack ?? "?"}): it deletes the live game server and every room in it.\n` +
        `If you really mean it, add --i-mean-prod: npm run teardown -- --stack ${stack ?? "<stack>"} --i-mean-prod`,
    );
  if (isProduction(stack, undefined) && !args["i-mean-prod"]) throw refuseProd();
  if (!args.yes && !deps.isTTY) {
    throw new UsageError(
      `Refusing to delete without a confirmation: there is no terminal to ask on, and --yes was not given.\n` +
        `Re-run with --yes once you are sure: npm run teardown -- --stack ${stack ?? "<stack>"} --yes`,
    );
  }

  const outputs = await loadTarget(effects, { stack, outputsFile: args.outputs });
  if (isProduction(stack, outputs) && !args["i-mean-prod"]) throw refuseProd();

  const client = cloudflareClient(effects, outputs);
  const customDomains = await client
    .listWorkerDomains(outputs.accountId, { service: outputs.workerName })
    .then((list) => list.filter((d) => d.service === outputs.workerName).map((d) => d.hostname).sort())
    .catch(() => null);
  effects.logger.step("Teardown");
  effects.logger.info(describeTeardown(outputs, customDomains, stack));

  if (!args.yes) {
    const confirmed = await deps.confirm(`Delete ${outputs.workerName} and everything above? Type the Worker name to confirm`, outputs.workerName);
    if (!confirmed) {
      return { exitCode: 0, summary: "Nothing deleted.", json: { ok: true, deleted: false, workerName: outputs.workerName } };
    }
  }

  effects.logger.info(`wrangler delete --name ${outputs.workerName} --force`);
  // --force: we asked above, and it skips wrangler's own prompt (there is no terminal in CI).
  const result = await runWrangler(effects, outputs, { args: ["delete", "--name", outputs.workerName, "--force"], stream: true });
  let alreadyGone = false;
  if (result.exitCode !== 0 || result.timedOut) {
    if (/\[code: 10007\]|does not exist|not found/i.test(`${result.stdout}\n${result.stderr}`)) {
      alreadyGone = true;
      effects.logger.info(`Worker ${outputs.workerName} does not exist (already deleted).`);
    } else {
      throw wranglerError(result, `wrangler delete --name ${outputs.workerName}`);
    }
  }

  let destroyed = false;
  if (args["destroy-stack"]) {
    effects.logger.step(`pulumi destroy --stack ${stack}`);
    const out = effects.logger.stream("  │ ");
    const destroy = await effects.run(pulumiBin(effects.env), ["destroy", "--stack", stack!, "--yes", "--non-interactive"], {
      cwd: PULUMI_DIR,
      env: effects.env,
      timeoutMs: 30 * 60_000,
      onStdout: (chunk) => out.write(chunk),
      onStderr: (chunk) => out.write(chunk),
    });
    out.end();
    if (destroy.spawnError || destroy.exitCode !== 0) {
      throw new DeployError(
        `The Worker is deleted, but \`pulumi destroy --stack ${stack}\` failed (${destroy.spawnError?.message ?? `exit ${destroy.exitCode}`}). Run it again.`,
      );
    }
    destroyed = true;
  }

  const next = destroyed
    ? `Stack ${stack} destroyed. To remove its configuration and history too: pulumi stack rm ${stack}.`
    : `Next: run \`pulumi destroy --stack ${stack ?? "<stack>"}\` at the repository root (where Pulumi.yaml is) to remove the DNS records, the deploy token and the rest of the stack.`;
  const summary = `${alreadyGone ? "Worker was already gone" : `Deleted Worker ${outputs.workerName}`}${
    customDomains && customDomains.length ? ` and its Custom Domains (${customDomains.join(", ")})` : ""
  }.\n${next}`;
  return {
    exitCode: 0,
    summary,
    json: { ok: true, deleted: !alreadyGone, alreadyGone, workerName: outputs.workerName, customDomains, stackDestroyed: destroyed, next },
  };
}
