// `npm run rotate-token -- --stack <s>`: replaces the stack's deploy token and proves it.
// The Pulumi program issues a new token when `perudo-vibe:tokenRotation` changes (a new token
// resource is created, then the old one deleted, in one `pulumi up`). This command bumps that
// value, runs `pulumi up` (with the operator's bootstrap credentials, like any `pulumi up`),
// deploys and verifies with the new token through the deploy command, then checks that
// Cloudflare rejects the old token.
import { z } from "../lib/zod.ts";
import { CommandFailure, numberFlag, parseCliArgs, type CommandContext, type CommandOutcome } from "../lib/cli.ts";
import { defaultDeployDeps, deployCommand } from "../lib/deploy-command.ts";
import { CredentialsError, DeployError, UsageError, exitCodeFor } from "../lib/errors.ts";
import { pulumiBin } from "../lib/outputs.ts";
import { verifyToken } from "../lib/preflight.ts";
import { PULUMI_DIR, cloudflareClient, loadTarget, stackName, type OpsEffects } from "./common.ts";
import { defaultEffects } from "./effects.ts";

export const ROTATION_CONFIG_KEY = "perudo-vibe:tokenRotation";

export const ROTATE_USAGE = `Usage: npm run rotate-token -- --stack <name> [--build-id <id>] [--verify-timeout <s>] [--old-token-timeout <s>] [--json]

Replaces the stack's deploy token: sets ${ROTATION_CONFIG_KEY} to a new value, runs
\`pulumi up --stack <name>\` (which creates the new token and deletes the old one; it needs the
bootstrap CLOUDFLARE_API_TOKEN, as any pulumi up does), deploys with the new token and verifies
(npm run deploy), then checks that Cloudflare rejects the old token.

  --stack <name>            Pulumi stack (default: PULUMI_STACK)
  --build-id <id>           passed to the deploy (default: git short sha, -dirty if changed)
  --verify-timeout <s>      bound on the deploy's verification (default 180)
  --old-token-timeout <s>   how long to wait for Cloudflare to reject the old token (default 60)
  --json                    print one JSON object on stdout
  --help                    this text

Exit codes: 0 rotated, deployed, verified, old token rejected; 2 usage; 3 the new token is
refused or the old one still works; 4/5/6 as npm run deploy (the new token is in place then:
fix and run npm run deploy -- --stack <name>).`;

/** A new generation value: the UTC time, e.g. 2026-11-26-154012 (fits the config's pattern). */
export function rotationValue(now: Date): string {
  return now.toISOString().slice(0, 19).replace("T", "-").replace(/:/g, "");
}

const argsSchema = z.object({
  stack: z.string().trim().min(1).optional(),
  "build-id": z.string().trim().min(1).optional(),
  "verify-timeout": numberFlag({ min: 1, max: 3_600 }).default(180),
  "old-token-timeout": numberFlag({ min: 0, max: 3_600 }).default(60),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

export async function rotateTokenCommand(context: CommandContext, effects: OpsEffects = defaultEffects(context)): Promise<CommandOutcome> {
  const args = parseCliArgs(
    context.argv,
    {
      stack: { type: "string" },
      "build-id": { type: "string" },
      "verify-timeout": { type: "string" },
      "old-token-timeout": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    argsSchema,
    ROTATE_USAGE,
  );
  if (args.help) return { exitCode: 0, summary: ROTATE_USAGE };
  context.setJsonMode(args.json);
  const stack = stackName(args.stack, effects.env);
  if (!stack) throw new UsageError(`No stack given: pass --stack <name> (or set PULUMI_STACK).\n\n${ROTATE_USAGE}`);

  const report = {
    ok: false,
    stack,
    rotation: null as string | null,
    oldTokenId: null as string | null,
    newTokenId: null as string | null,
    newTokenExpiresOn: null as string | null,
    deploy: null as Record<string, unknown> | null,
    oldTokenRejected: false,
    exitCode: 0,
  };
  try {
    const before = await loadTarget(effects, { stack });
    const oldClient = cloudflareClient(effects, before);
    report.oldTokenId = await verifyToken(oldClient, before.accountId)
      .then((facts) => facts.result.id)
      .catch(() => null);

    // 1. A new generation, and pulumi up.
    const rotation = rotationValue(effects.now());
    report.rotation = rotation;
    effects.logger.step(`pulumi config set ${ROTATION_CONFIG_KEY} ${rotation} --stack ${stack}`);
    await pulumi(effects, ["config", "set", ROTATION_CONFIG_KEY, rotation, "--stack", stack], 60_000);
    effects.logger.step(`pulumi up --stack ${stack}`);
    await pulumi(effects, ["up", "--stack", stack, "--yes", "--non-interactive"], 30 * 60_000);

    // 2. The new token, from the refreshed outputs.
    const after = await loadTarget(effects, { stack });
    if (after.deployToken === before.deployToken) {
      throw new DeployError(
        `pulumi up finished, but the stack's deployToken output did not change. Check that the Pulumi program reads ${ROTATION_CONFIG_KEY} (infra/components/deploy-token.ts) and run it again.`,
      );
    }
    const newFacts = await verifyToken(cloudflareClient(effects, after), after.accountId);
    if (newFacts.result.status !== "active") {
      throw new CredentialsError(`The new deploy token is ${newFacts.result.status}, not active. Run \`pulumi up --stack ${stack}\` again.`);
    }
    report.newTokenId = newFacts.result.id;
    report.newTokenExpiresOn = newFacts.result.expires_on ?? after.deployTokenExpiresOn ?? null;
    effects.logger.info(`new deploy token ${report.newTokenId} active${report.newTokenExpiresOn ? ` until ${report.newTokenExpiresOn}` : ""}`);

    // 3. Deploy and verify with it: exactly `npm run deploy -- --stack <stack>`.
    const outcome = await deployCommand(
      { ...context, argv: [
          "--stack",
          stack,
          "--verify-timeout",
          String(args["verify-timeout"]),
          ...(args["build-id"] ? ["--build-id", args["build-id"]] : []),
        ], setJsonMode: () => {} },
      { ...defaultDeployDeps, run: effects.run, fetch: effects.fetch, sleep: effects.sleep },
    );
    report.deploy = outcome.json ?? null;

    // 4. The old token must stop working.
    effects.logger.step("Old token");
    const deadline = Date.now() + args["old-token-timeout"] * 1000;
    for (;;) {
      const state = await verifyToken(oldClient, before.accountId)
        .then((facts) => facts.result.status)
        .catch((error: unknown) => (error instanceof CredentialsError ? "rejected" : `unknown (${(error as Error).message})`));
      if (state !== "active" && !state.startsWith("unknown")) {
        report.oldTokenRejected = true;
        effects.logger.info(`Cloudflare rejects the old token (${state})`);
        break;
      }
      if (Date.now() >= deadline) {
        throw new CredentialsError(
          `The new token is deployed and verified, but the old token${report.oldTokenId ? ` (${report.oldTokenId})` : ""} still works (${state}). ` +
            `Delete it: Cloudflare dashboard > Manage Account > Account API Tokens (or My Profile > API Tokens for user tokens).`,
        );
      }
      await effects.sleep(2_000);
    }
    report.ok = true;
    const deployed = report.deploy as { buildId?: string; url?: string } | null;
    return {
      exitCode: 0,
      summary: [
        `Rotated the deploy token of stack ${stack} (${ROTATION_CONFIG_KEY}=${rotation}).`,
        `  New token:  ${report.newTokenId ?? "?"}, expires ${report.newTokenExpiresOn ?? "never"}`,
        `  Deployed:   build ${deployed?.buildId ?? "?"} at ${deployed?.url ?? "?"}, verified with the new token`,
        `  Old token:  ${report.oldTokenId ?? "?"} rejected by Cloudflare`,
        `Commit the Pulumi.${stack}.yaml change (${ROTATION_CONFIG_KEY}) so CI keeps the new generation.`,
      ].join("\n"),
      json: { ...report },
    };
  } catch (error) {
    const cause = error instanceof CommandFailure ? error.error : error;
    report.exitCode = exitCodeFor(cause);
    throw new CommandFailure(cause, { ...report, ...(error instanceof CommandFailure ? { deploy: error.json } : {}) });
  }
}

async function pulumi(effects: OpsEffects, args: string[], timeoutMs: number): Promise<void> {
  const out = effects.logger.stream("  │ ");
  const result = await effects.run(pulumiBin(effects.env), args, {
    cwd: PULUMI_DIR,
    env: effects.env,
    timeoutMs,
    onStdout: (chunk) => out.write(chunk),
    onStderr: (chunk) => out.write(chunk),
  });
  out.end();
  if (result.spawnError) {
    throw new UsageError(`Could not run ${pulumiBin(effects.env)} (${result.spawnError.message}). Install Pulumi or set PULUMI_BIN.`);
  }
  if (result.exitCode !== 0 || result.timedOut) {
    const text = `${result.stdout}\n${result.stderr}`;
    if (/CLOUDFLARE_API_TOKEN|authentication|Invalid API Token|\[code: (1000|10000|9109)\]/i.test(text)) {
      throw new CredentialsError(
        `\`pulumi ${args.join(" ")}\` failed: Cloudflare refused the bootstrap credentials. Set CLOUDFLARE_API_TOKEN to the bootstrap token (docs/permissions.md) and run it again.`,
      );
    }
    throw new DeployError(`\`pulumi ${args.join(" ")}\` failed (${result.timedOut ? "timed out" : `exit ${result.exitCode}`}). Its output is above.`);
  }
}
