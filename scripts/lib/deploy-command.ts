// `npm run deploy`: stack outputs -> preflight -> wrangler upload -> attach the hostname ->
// verify the new build answers -> summary. A thin shell: each step lives in its own module
// and takes its I/O (process runner, fetch, sleep, clock, socket check) from DeployDeps.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "./zod.ts";
import { CloudflareClient, type FetchLike } from "./cloudflare-api.ts";
import { CommandFailure, numberFlag, parseCliArgs, type CommandContext, type CommandOutcome, type OptionsConfig } from "./cli.ts";
import { defaultBuildId, validateBuildId } from "./build-id.ts";
import { attachCustomDomain } from "./custom-domain.ts";
import { buildWranglerEnv } from "./env.ts";
import { exitCodeFor, UsageError } from "./errors.ts";
import { loadStackOutputs, pulumiBin, type StackOutputs } from "./outputs.ts";
import { runPreflight } from "./preflight.ts";
import { runCommand, type RunCommand } from "./process.ts";
import { realSleep, type Sleep } from "./retry.ts";
import { MASK } from "./secrets.ts";
import { verifyBase, verifyDeployment, type SocketCheck } from "./verify.ts";
import { buildWranglerDeployArgs, formatCommandLine, runWranglerDeploy, wranglerBin, wranglerLaunch } from "./wrangler.ts";

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const DEPLOY_USAGE = `Usage: npm run deploy -- --stack <name> [flags]

Deploys the Worker with wrangler using the stack's outputs, attaches the hostname (never
overriding), and waits until the new build answers on the custom domain.

Flags:
  --stack <name>          stack whose outputs to use (default: $PULUMI_STACK)
  --outputs <file>        read outputs from a JSON file (pulumi stack output --json --show-secrets)
  --build-id <id>         BUILD_ID and version tag (default: git short sha, -dirty if changed)
  --dry-run               resolve, preflight, print the wrangler command; deploy nothing
  --skip-preflight        skip the Cloudflare API preflight
  --skip-verify           skip post-deploy verification
  --verify-timeout <s>    bound on the whole verification (default 180)
  --retries <n>           attempts of the wrangler deploy in total (default 3)
  --deploy-timeout <s>    per wrangler attempt (default 600)
  --prune-domains         after the new host verifies, detach this Worker's other custom domains
                          (listed before the deploy; never without this flag)
  --json                  print one JSON object on stdout (progress on stderr)
  --help                  this text

Environment: PULUMI_BIN, WRANGLER_BIN, DEPLOY_VERIFY_URL, CLOUDFLARE_API_BASE_URL (.env is loaded).
Exit codes: 0 ok, 2 usage/invalid outputs, 3 credentials, 4 preflight/domain, 5 deploy, 6 verify.`;

const DEPLOY_HINT = "Run `npm run deploy -- --help` for usage.";

const deployOptions = {
  stack: { type: "string" },
  outputs: { type: "string" },
  "build-id": { type: "string" },
  "dry-run": { type: "boolean", default: false },
  "skip-preflight": { type: "boolean", default: false },
  "skip-verify": { type: "boolean", default: false },
  "verify-timeout": { type: "string", default: "180" },
  retries: { type: "string", default: "3" },
  "deploy-timeout": { type: "string", default: "600" },
  "prune-domains": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} satisfies OptionsConfig;

const deployArgsSchema = z.object({
  stack: z.string().trim().min(1).optional(),
  outputs: z.string().min(1).optional(),
  "build-id": z.string().optional(),
  "dry-run": z.boolean(),
  "skip-preflight": z.boolean(),
  "skip-verify": z.boolean(),
  "verify-timeout": numberFlag({ min: 1, max: 3_600 }),
  retries: numberFlag({ int: true, min: 1, max: 10 }),
  "deploy-timeout": numberFlag({ min: 1, max: 7_200 }),
  "prune-domains": z.boolean(),
  json: z.boolean(),
  help: z.boolean(),
});

export interface DeployArgs {
  stack: string | undefined;
  outputsFile: string | undefined;
  buildId: string | undefined;
  dryRun: boolean;
  skipPreflight: boolean;
  skipVerify: boolean;
  verifyTimeoutMs: number;
  retries: number;
  deployTimeoutMs: number;
  pruneDomains: boolean;
  json: boolean;
  help: boolean;
}

/** argv (+ PULUMI_STACK) -> DeployArgs. Pure; throws UsageError. */
export function parseDeployArgs(argv: string[], env: NodeJS.ProcessEnv): DeployArgs {
  const values = parseCliArgs(argv, deployOptions, deployArgsSchema, DEPLOY_HINT);
  const stack = values.stack ?? (env["PULUMI_STACK"]?.trim() || undefined);
  const args: DeployArgs = {
    stack,
    outputsFile: values.outputs,
    buildId: values["build-id"] === undefined ? undefined : validateBuildId(values["build-id"]),
    dryRun: values["dry-run"],
    skipPreflight: values["skip-preflight"],
    skipVerify: values["skip-verify"],
    verifyTimeoutMs: values["verify-timeout"] * 1000,
    retries: values.retries,
    deployTimeoutMs: values["deploy-timeout"] * 1000,
    pruneDomains: values["prune-domains"],
    json: values.json,
    help: values.help,
  };
  if (!args.help && !args.stack && !args.outputsFile) {
    throw new UsageError(`No stack given: pass --stack <name> (or set PULUMI_STACK), or --outputs <file>. ${DEPLOY_HINT}`);
  }
  if (args.pruneDomains && args.skipVerify) {
    throw new UsageError("--prune-domains detaches old hostnames only after the new one verifies: drop --skip-verify.");
  }
  return args;
}

export interface DeployDeps {
  run: RunCommand;
  fetch: FetchLike;
  sleep: Sleep;
  now: () => number;
  socketCheck?: SocketCheck;
  projectRoot: string;
  /**
   * Builds the play page that wrangler uploads as static assets (dist/page). Absent: the assets
   * are already built (rollback builds an older commit with that commit's own `npm run build`).
   */
  buildPage?: (projectRoot: string) => Promise<unknown>;
}

export const defaultDeployDeps: DeployDeps = {
  run: runCommand,
  fetch: (input, init) => fetch(input, init),
  sleep: realSleep,
  now: Date.now,
  projectRoot: PROJECT_ROOT,
  // Loaded only when a deploy really uploads (esbuild is not needed for --help or --dry-run).
  buildPage: async (projectRoot) => (await import("../build-page.ts")).buildPage(projectRoot),
};

/** The --json object. Field names are a contract. */
export interface DeployReport {
  ok: boolean;
  stack: string | null;
  workerName: string | null;
  host: string | null;
  url: string | null;
  websocketUrl: string | null;
  verifiedAt: string | null;
  buildId: string | null;
  versionId: string | null;
  exitCode: number;
  durationsMs: { outputs: number | null; preflight: number | null; deploy: number | null; verify: number | null };
  dryRun: boolean;
  /** The value for the frontend's NEXT_PUBLIC_PARTYKIT_HOST. */
  nextPublicPartykitHost: string | null;
  otherCustomDomains: string[];
  /** --prune-domains: custom domains detached after verification (planned ones in --dry-run). */
  prunedDomains: string[];
  warnings: string[];
  wranglerAttempts: number | null;
  /** --dry-run: the wrangler command line (secrets as ***). */
  command?: string;
}

export async function deployCommand(context: CommandContext, deps: DeployDeps = defaultDeployDeps): Promise<CommandOutcome> {
  const { env, logger, masker } = context;
  const args = parseDeployArgs(context.argv, env);
  context.setJsonMode(args.json);
  if (args.help) return { exitCode: 0, summary: DEPLOY_USAGE, json: { ok: true, usage: DEPLOY_USAGE } };

  const report: DeployReport = {
    ok: false,
    stack: args.stack ?? null,
    workerName: null,
    host: null,
    url: null,
    websocketUrl: null,
    verifiedAt: null,
    buildId: args.buildId ?? null,
    versionId: null,
    exitCode: 0,
    durationsMs: { outputs: null, preflight: null, deploy: null, verify: null },
    dryRun: args.dryRun,
    nextPublicPartykitHost: null,
    otherCustomDomains: [],
    prunedDomains: [],
    warnings: [],
    wranglerAttempts: null,
  };
  const timed = async <T>(step: keyof DeployReport["durationsMs"], action: () => Promise<T>): Promise<T> => {
    const started = deps.now();
    try {
      return await action();
    } finally {
      report.durationsMs[step] = deps.now() - started;
    }
  };
  const warn = (message: string) => {
    report.warnings.push(masker.mask(message));
    logger.warn(message);
  };

  // The page build (esbuild, in its own process) starts now and runs while the outputs are read
  // and the preflight waits on the API; the deploy step awaits it before uploading. Built for
  // nothing when an earlier step fails: the build only rewrites changed files, atomically.
  const pageBuild = args.dryRun || !deps.buildPage ? undefined : settled(deps.buildPage(deps.projectRoot));

  try {
    // 1. Outputs
    logger.step(`Outputs${args.outputsFile ? ` (from ${args.outputsFile})` : ` (pulumi stack ${args.stack})`}`);
    const outputs = await timed("outputs", () =>
      loadStackOutputs({
        stack: args.stack,
        outputsFile: args.outputsFile,
        pulumiBin: pulumiBin(env),
        run: deps.run,
        cwd: deps.projectRoot,
        env,
        registerSecret: (value) => masker.add(value),
      }),
    );
    masker.add(outputs.deployToken);
    report.stack = args.stack ?? outputs.environment;
    report.workerName = outputs.workerName;
    report.host = outputs.domain;
    report.url = `https://${outputs.domain}`;
    report.websocketUrl = outputs.websocketUrl;
    report.nextPublicPartykitHost = outputs.host;
    logger.info(`worker ${outputs.workerName} on ${outputs.domain} (${outputs.routing}), account ${outputs.accountId}`);
    if (args.stack && args.stack.split("/").at(-1) !== outputs.environment) {
      warn(`--stack ${args.stack} but the outputs say environment ${outputs.environment}: check you are deploying the stack you meant.`);
    }

    // Checked now, so a bad DEPLOY_VERIFY_URL stops the deploy before anything is uploaded.
    const verifyAt = verifyBase(env, outputs);
    const buildId = args.buildId ?? (await defaultBuildId(deps.run, deps.projectRoot));
    report.buildId = buildId;
    logger.info(`build id ${buildId}`);

    const apiBaseUrl = env["CLOUDFLARE_API_BASE_URL"] || undefined;
    const client = new CloudflareClient({
      token: outputs.deployToken,
      baseUrl: apiBaseUrl,
      fetch: deps.fetch,
      sleep: deps.sleep,
      backoffBaseMs: retryBackoffMs(env, 1_000),
      onRetry: (message) => logger.warn(message),
    });

    // 2. Preflight
    if (args.skipPreflight) {
      logger.step("Preflight (skipped: --skip-preflight)");
    } else {
      logger.step("Preflight");
      const preflight = await timed("preflight", () => runPreflight(client, outputs, () => new Date(deps.now())));
      for (const warning of preflight.warnings) warn(warning);
      report.otherCustomDomains = preflight.otherCustomDomains;
      logger.info(
        `token active${preflight.tokenExpiresOn ? ` until ${preflight.tokenExpiresOn}` : ""}; zone ${outputs.zoneName} active; ${outputs.domain} ${
          preflight.domainAlreadyAttached ? "already attached to this Worker" : "free for this Worker"
        }`,
      );
    }

    // --prune-domains: list what would go now, remove only after verification.
    const prune = args.pruneDomains
      ? await (await import("../ops/prune-domains.ts")).prepareDomainPrune({ client, target: outputs, logger })
      : undefined;

    // 3. Deploy
    const wrangler = wranglerBin(env, deps.projectRoot);
    const wranglerArgs = buildWranglerDeployArgs({
      workerName: outputs.workerName,
      buildId,
      allowedOrigins: outputs.allowedOrigins,
      turnSeconds: outputs.turnSeconds,
      maxConnectionsPerRoom: outputs.maxConnectionsPerRoom,
      routing: outputs.routing,
      domain: outputs.domain,
      message: `perudo-vibe ${buildId} to ${report.stack} (scripts/deploy.ts)`,
    });
    const shownEnv = {
      CLOUDFLARE_ACCOUNT_ID: outputs.accountId,
      CLOUDFLARE_API_TOKEN: MASK,
      ...(apiBaseUrl ? { CLOUDFLARE_API_BASE_URL: apiBaseUrl } : {}),
    };
    const commandLine = formatCommandLine(wrangler, wranglerArgs, shownEnv);
    const attachLine = `PUT /accounts/${outputs.accountId}/workers/domains ${JSON.stringify({
      hostname: outputs.domain,
      service: outputs.workerName,
      zone_id: outputs.zoneId,
    })} (no override)`;

    if (args.dryRun) {
      report.command = masker.mask(commandLine);
      report.prunedDomains = prune ? prune.planned.map((domain) => domain.hostname) : [];
      report.ok = true;
      logger.step("Dry run: nothing deployed");
      const lines = [
        `Dry run (nothing deployed). Would run:`,
        `  ${commandLine}`,
        ...(outputs.routing === "custom-domain" ? [`then attach the hostname:`, `  ${attachLine}`] : []),
        ...(args.skipVerify ? [] : [`then verify ${verifyAt} (health build ${buildId}, WebSocket welcome + state)`]),
        ...(report.prunedDomains.length ? [`then detach (--prune-domains): ${report.prunedDomains.join(", ")}`] : []),
      ];
      return { exitCode: 0, summary: lines.join("\n"), json: { ...report } };
    }

    logger.step("Deploy");
    logger.info(commandLine);
    const childEnv = buildWranglerEnv(env, { accountId: outputs.accountId, apiToken: outputs.deployToken, apiBaseUrl });
    await timed("deploy", async () => {
      const built = await pageBuild;
      if (built && !built.ok) throw built.error;
      const result = await runWranglerDeploy({
        bin: wrangler,
        launch: wranglerLaunch(wrangler, deps.projectRoot),
        args: wranglerArgs,
        env: childEnv,
        cwd: deps.projectRoot,
        attempts: args.retries,
        timeoutMs: args.deployTimeoutMs,
        backoffBaseMs: retryBackoffMs(env, 5_000),
        run: deps.run,
        sleep: deps.sleep,
        logger,
      });
      report.versionId = result.versionId;
      report.wranglerAttempts = result.attempts;
      if (result.versionId === null) warn("wrangler succeeded but reported no version id");
      else logger.info(`uploaded version ${result.versionId} (attempt ${result.attempts})`);
      if (outputs.routing === "custom-domain") {
        logger.info(`attaching ${outputs.domain}: ${attachLine}`);
        await attachCustomDomain(client, outputs);
        logger.info(`${outputs.domain} -> ${outputs.workerName}`);
      } else {
        logger.info(`route ${outputs.domain}/* -> ${outputs.workerName}`);
      }
    });

    // 4. Verify
    if (args.skipVerify) {
      logger.step("Verify (skipped: --skip-verify)");
    } else {
      const base = verifyAt;
      logger.step(`Verify ${base}`);
      report.verifiedAt = base;
      await timed("verify", () =>
        verifyDeployment({
          base,
          buildId,
          checkPage: true,
          origin: outputs.allowedOrigins[0],
          timeoutMs: args.verifyTimeoutMs,
          logger,
          fetch: deps.fetch,
          sleep: deps.sleep,
          now: deps.now,
          ...(deps.socketCheck ? { socketCheck: deps.socketCheck } : {}),
        }),
      );
    }

    if (prune) {
      logger.step("Prune old custom domains (--prune-domains)");
      report.prunedDomains = await prune.apply();
      report.otherCustomDomains = report.otherCustomDomains.filter((hostname) => !report.prunedDomains.includes(hostname));
    }

    // 5. Summary
    report.ok = true;
    return { exitCode: 0, summary: renderSummary(report, outputs, args), json: { ...report } };
  } catch (error) {
    report.exitCode = exitCodeFor(error);
    throw new CommandFailure(error, { ...report });
  }
}

/** DEPLOY_RETRY_BACKOFF_MS shortens backoff (the end-to-end tests use it); default otherwise. */
function retryBackoffMs(env: NodeJS.ProcessEnv, fallback: number): number {
  const value = Number(env["DEPLOY_RETRY_BACKOFF_MS"]);
  return Number.isFinite(value) && value >= 0 && env["DEPLOY_RETRY_BACKOFF_MS"] !== undefined ? value : fallback;
}

function seconds(ms: number | null): string {
  return ms === null ? "skipped" : `${(ms / 1000).toFixed(1)}s`;
}

export function renderSummary(report: DeployReport, outputs: StackOutputs, args: Pick<DeployArgs, "skipVerify">): string {
  const worker = outputs.workerName;
  const d = report.durationsMs;
  return [
    `Deployed ${worker} build ${report.buildId} to stack ${report.stack}${args.skipVerify ? " (not verified: --skip-verify)" : ""}`,
    `  URL:             ${report.url}`,
    `  WebSocket URL:   ${report.websocketUrl}`,
    `  Frontend:        NEXT_PUBLIC_PARTYKIT_HOST=${report.nextPublicPartykitHost}`,
    `  Build id:        ${report.buildId}`,
    `  Version id:      ${report.versionId ?? "(not reported by wrangler)"}`,
    ...(report.verifiedAt ? [`  Verified at:     ${report.verifiedAt} (/health build + WebSocket welcome/state)`] : []),
    ...(report.otherCustomDomains.length ? [`  Also attached:   ${report.otherCustomDomains.join(", ")} (left as they were; --prune-domains detaches them)`] : []),
    ...(report.prunedDomains.length ? [`  Detached:        ${report.prunedDomains.join(", ")} (--prune-domains)`] : []),
    `  Time:            outputs ${seconds(d.outputs)}, preflight ${seconds(d.preflight)}, deploy ${seconds(d.deploy)}, verify ${seconds(d.verify)}`,
    ``,
    `Next (with CLOUDFLARE_ACCOUNT_ID=${outputs.accountId} and CLOUDFLARE_API_TOKEN set to the stack's deployToken):`,
    `  npx wrangler tail ${worker}                        # live logs`,
    `  npx wrangler deployments list --name ${worker}     # what is deployed`,
    `  npx wrangler rollback --name ${worker} [version-id]  # go back to a previous version`,
  ].join("\n");
}

/** A promise that never rejects: started early, its failure is reported where it is awaited. */
function settled(work: Promise<unknown>): Promise<{ ok: true } | { ok: false; error: unknown }> {
  return work.then(
    () => ({ ok: true }) as const,
    (error: unknown) => ({ ok: false, error }) as const,
  );
}
