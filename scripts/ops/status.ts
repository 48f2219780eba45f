// `npm run status -- --stack <s>`: what is live. Gathers each fact on its own (one failing source
// never hides the others), judges them in a pure function, and renders a table or --json.
import { defaultBuildId } from "../lib/build-id.ts";
import { CloudflareApiError } from "../lib/cloudflare-api.ts";
import type { CommandContext, CommandOutcome } from "../lib/cli.ts";
import { CommandFailure, parseCliArgs } from "../lib/cli.ts";
import { CliError, CredentialsError, EXIT_CODES, errorMessage } from "../lib/errors.ts";
import type { StackOutputs } from "../lib/outputs.ts";
import { TOKEN_EXPIRY_WARNING_DAYS, verifyToken } from "../lib/preflight.ts";
import { judgeHealth, verifyBase } from "../lib/verify.ts";
import { z } from "../lib/zod.ts";
import {
  PROJECT_ROOT,
  buildIdOf,
  cloudflareClient,
  listDeployments,
  listVersions,
  loadTarget,
  mainVersionOf,
  stackName,
  type Deployment,
  type OpsEffects,
  type Version,
} from "./common.ts";
import { defaultEffects } from "./effects.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export const STATUS_USAGE = `Usage: npm run status -- --stack <name> [--outputs <file>] [--json]

Shows what is live for a stack: the build /health reports against your local HEAD, the Worker's
current deployment and recent versions, the deploy token's expiry (warns under ${TOKEN_EXPIRY_WARNING_DAYS} days),
the routing mode, the hosts, and the Custom Domains attached to the Worker.

  --stack <name>    Pulumi stack (default: PULUMI_STACK)
  --outputs <file>  read the stack outputs from this file (pulumi stack output --json --show-secrets)
  --json            print one JSON object on stdout instead of the table
  --help            this text

Exit codes: 0 live and healthy; 2 usage or stack outputs; 3 deploy token rejected or expired;
4 the Worker or its account is not reachable as configured; 6 /health does not answer healthy.
Environment: DEPLOY_VERIFY_URL checks this base URL instead of https://<host> (local testing).`;

/** One fact and where it came from; `error` when it could not be read. */
type Fact<T> = { ok: true; value: T } | { ok: false; error: string; kind: "credentials" | "preflight" | "other" };

export interface StatusFacts {
  stack: string | undefined;
  outputs: StackOutputs;
  /** Build id of the local checkout (git), if any. */
  localBuild: Fact<string>;
  health: { url: string } & ({ answer: { status: number; body: string } } | { answer: { networkError: string } });
  deployments: Fact<Deployment[]>;
  versions: Fact<Version[]>;
  token: Fact<{ status: string; expiresOn: string | null }>;
  customDomains: Fact<string[]>;
  routes?: Fact<string[]>;
}

export interface StatusReport {
  ok: boolean;
  stack: string | undefined;
  workerName: string;
  accountId: string;
  environment: string;
  routing: StackOutputs["routing"];
  host: string;
  websocketUrl: string;
  healthUrl: string;
  live: { ok: boolean; version: string | null; summary: string };
  local: { build: string | null; live: "same" | "different" | "unknown" };
  deployment: {
    createdOn: string;
    source: string | null;
    message: string | null;
    versions: { versionId: string; percentage: number; build: string | null }[];
  } | null;
  versions: { versionId: string; createdOn: string; build: string | null; trigger: string | null; message: string | null; live: boolean }[];
  token: { status: string; expiresOn: string | null; daysLeft: number | null } | null;
  customDomains: string[] | null;
  routes: string[] | null;
  warnings: string[];
  problems: { kind: "credentials" | "preflight" | "verify"; message: string }[];
  exitCode: number;
}

/** Judges the gathered facts. Pure (`now` injected). */
export function assessStatus(facts: StatusFacts, now: Date): StatusReport {
  const { outputs } = facts;
  const warnings: string[] = [];
  const problems: StatusReport["problems"] = [];
  const note = <T>(fact: Fact<T>, what: string): T | null => {
    if (fact.ok) return fact.value;
    if (fact.kind === "credentials") problems.push({ kind: "credentials", message: `${what}: ${fact.error}` });
    else if (fact.kind === "preflight") problems.push({ kind: "preflight", message: `${what}: ${fact.error}` });
    else warnings.push(`${what} unavailable: ${fact.error}`);
    return null;
  };

  // Live build.
  const health = judgeHealth(facts.health.answer, undefined);
  if (!health.ok) problems.push({ kind: "verify", message: `${facts.health.url} is not healthy: ${health.summary}` });
  const liveVersion = health.version ?? null;

  const localBuild = facts.localBuild.ok ? facts.localBuild.value : null;
  let local: StatusReport["local"]["live"] = "unknown";
  if (localBuild && liveVersion) {
    local = liveVersion === localBuild || liveVersion === localBuild.replace(/-dirty$/, "") ? "same" : "different";
    if (local === "different") warnings.push(`Live build ${liveVersion} is not your local HEAD (${localBuild}).`);
  }

  // Deployment and versions.
  const deployments = note(facts.deployments, "Deployments");
  const versions = note(facts.versions, "Versions");
  const buildOf = (versionId: string) => buildIdOf(versions?.find((v) => v.id === versionId)) ?? null;
  const current = deployments?.at(-1);
  const liveVersionId = mainVersionOf(current);
  const deployment = current
    ? {
        createdOn: current.created_on,
        source: current.annotations?.["workers/triggered_by"] ?? current.source ?? null,
        message: current.annotations?.["workers/message"] ?? null,
        versions: current.versions.map((v) => ({ versionId: v.version_id, percentage: v.percentage, build: buildOf(v.version_id) })),
      }
    : null;
  if (deployment) {
    const served = deployment.versions.find((v) => v.versionId === liveVersionId);
    if (served?.build && liveVersion && served.build !== liveVersion) {
      warnings.push(`The current deployment serves build ${served.build}, but ${outputs.domain}/health reports ${liveVersion} (caching, or another Worker answering?).`);
    }
  }

  // Token.
  const token = note(facts.token, "Deploy token");
  let tokenReport: StatusReport["token"] = null;
  if (token) {
    const expiresOn = token.expiresOn ?? outputs.deployTokenExpiresOn ?? null;
    const left = expiresOn ? Date.parse(expiresOn) - now.getTime() : null;
    const daysLeft = left === null ? null : Math.floor(left / DAY_MS);
    tokenReport = { status: token.status, expiresOn, daysLeft };
    if (token.status !== "active") {
      problems.push({ kind: "credentials", message: `The deploy token is ${token.status}, not active. Rotate it: see docs/operations.md "Token rotation".` });
    } else if (left !== null && left <= 0) {
      problems.push({ kind: "credentials", message: `The deploy token expired on ${expiresOn}. Rotate it: see docs/operations.md "Token rotation".` });
    } else if (left !== null && left < TOKEN_EXPIRY_WARNING_DAYS * DAY_MS) {
      warnings.push(`The deploy token expires on ${expiresOn} (in ${Math.max(0, daysLeft ?? 0)} day(s)); rotate it soon (docs/operations.md "Token rotation").`);
    }
  }

  // Domains and routes.
  const customDomains = note(facts.customDomains, "Custom Domains");
  if (customDomains && outputs.routing === "custom-domain" && !customDomains.includes(outputs.domain)) {
    problems.push({ kind: "preflight", message: `${outputs.domain} is not attached to ${outputs.workerName}: run npm run deploy -- --stack ${facts.stack ?? "<stack>"}.` });
  }
  const others = (customDomains ?? []).filter((hostname) => hostname !== outputs.domain);
  if (others.length > 0) {
    warnings.push(`${outputs.workerName} also serves ${others.join(", ")}; after a hostname move remove them with npm run deploy -- --stack ${facts.stack ?? "<stack>"} --prune-domains.`);
  }
  const routes = facts.routes ? note(facts.routes, "Worker routes") : null;

  const exitCode = problems.some((p) => p.kind === "credentials")
    ? EXIT_CODES.credentials
    : problems.some((p) => p.kind === "preflight")
      ? EXIT_CODES.preflight
      : problems.some((p) => p.kind === "verify")
        ? EXIT_CODES.verify
        : EXIT_CODES.ok;

  return {
    ok: exitCode === 0,
    stack: facts.stack,
    workerName: outputs.workerName,
    accountId: outputs.accountId,
    environment: outputs.environment,
    routing: outputs.routing,
    host: outputs.host,
    websocketUrl: outputs.websocketUrl,
    healthUrl: facts.health.url,
    live: { ok: health.ok, version: liveVersion, summary: health.summary },
    local: { build: localBuild, live: local },
    deployment,
    versions: [...(versions ?? [])].reverse().map((v) => ({
      versionId: v.id,
      createdOn: v.metadata.created_on,
      build: buildIdOf(v) ?? null,
      trigger: v.annotations?.["workers/triggered_by"] ?? null,
      message: v.annotations?.["workers/message"] ?? null,
      live: v.id === liveVersionId,
    })),
    token: tokenReport,
    customDomains,
    routes,
    warnings,
    problems,
    exitCode,
  };
}

/** The human table. Pure. */
export function renderStatus(report: StatusReport): string {
  const rows: [string, string][] = [
    ["Stack", `${report.stack ?? "(from --outputs)"} (${report.environment})`],
    ["Worker", `${report.workerName} (account ${report.accountId})`],
    ["Routing", report.routing],
    ["Host", report.host],
    ["WebSocket", report.websocketUrl],
    ["Live build", `${report.live.version ?? "-"} (${report.live.summary}) at ${report.healthUrl}`],
    [
      "Local HEAD",
      `${report.local.build ?? "-"}${report.local.live === "same" ? " (live)" : report.local.live === "different" ? " (not live)" : ""}`,
    ],
  ];
  if (report.deployment) {
    const versions = report.deployment.versions
      .map((v) => `${v.percentage}% ${v.versionId}${v.build ? ` (build ${v.build})` : ""}`)
      .join(", ");
    rows.push(["Deployment", `${report.deployment.createdOn} ${report.deployment.source ?? ""}: ${versions}${report.deployment.message ? ` "${report.deployment.message}"` : ""}`]);
  }
  if (report.token) {
    rows.push([
      "Deploy token",
      `${report.token.status}, ${report.token.expiresOn ? `expires ${report.token.expiresOn} (${report.token.daysLeft} days)` : "no expiry"}`,
    ]);
  }
  if (report.customDomains) rows.push(["Custom Domains", report.customDomains.join(", ") || "(none)"]);
  if (report.routes) rows.push(["Routes", report.routes.join(", ") || "(none)"]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  if (report.versions.length > 0) {
    lines.push("Versions (newest first):");
    for (const v of report.versions) {
      lines.push(
        `  ${v.live ? "*" : " "} ${v.versionId}  ${v.createdOn}  ${v.build ? `build ${v.build}` : "no build id"}${v.trigger ? `  ${v.trigger}` : ""}${v.message ? `  "${v.message}"` : ""}`,
      );
    }
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  for (const problem of report.problems) lines.push(`problem: ${problem.message}`);
  return lines.join("\n");
}

function factFrom(error: unknown): { ok: false; error: string; kind: "credentials" | "preflight" | "other" } {
  const kind =
    error instanceof CredentialsError || (error instanceof CloudflareApiError && error.kind === "auth")
      ? "credentials"
      : error instanceof CliError && error.exitCode === EXIT_CODES.preflight
        ? "preflight"
        : "other";
  return { ok: false, error: errorMessage(error), kind };
}

async function fact<T>(action: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return factFrom(error);
  }
}

/** Reads every fact (in parallel where independent). */
export async function gatherStatus(effects: OpsEffects, outputs: StackOutputs, stack: string | undefined): Promise<StatusFacts> {
  const client = cloudflareClient(effects, outputs);
  const base = verifyBase(effects.env, outputs);
  const healthUrl = `${base}/health`;
  effects.logger.step("Status");
  const [health, localBuild, deployments, versions, token, customDomains, routes] = await Promise.all([
    effects
      .fetch(healthUrl, { signal: AbortSignal.timeout(10_000), headers: { Accept: "application/json" } })
      .then(async (response) => ({ answer: { status: response.status, body: await response.text() } }))
      .catch((error: unknown) => ({ answer: { networkError: errorMessage(error) } })),
    fact(() => defaultBuildId(effects.run, PROJECT_ROOT)),
    fact(() => listDeployments(effects, outputs)),
    fact(() => listVersions(effects, outputs)),
    fact(async () => {
      const verified = await verifyToken(client, outputs.accountId);
      return { status: verified.result.status, expiresOn: verified.result.expires_on ?? null };
    }),
    fact(async () =>
      (await client.listWorkerDomains(outputs.accountId, { service: outputs.workerName }))
        .filter((d) => d.service === outputs.workerName)
        .map((d) => d.hostname)
        .sort(),
    ),
    outputs.routing === "route"
      ? fact(async () =>
          (await client.listZoneWorkerRoutes(outputs.zoneId)).filter((r) => r.script === outputs.workerName).map((r) => r.pattern),
        )
      : Promise.resolve(undefined),
  ]);
  return {
    stack,
    outputs,
    localBuild,
    health: { url: healthUrl, ...health },
    deployments,
    versions,
    token,
    customDomains,
    ...(routes ? { routes } : {}),
  };
}

const argsSchema = z.object({
  stack: z.string().min(1).optional(),
  outputs: z.string().min(1).optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

export async function statusCommand(context: CommandContext, effects: OpsEffects = defaultEffects(context)): Promise<CommandOutcome> {
  const args = parseCliArgs(
    context.argv,
    { stack: { type: "string" }, outputs: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    argsSchema,
    STATUS_USAGE,
  );
  if (args.help) return { exitCode: 0, summary: STATUS_USAGE };
  context.setJsonMode(args.json);
  const stack = stackName(args.stack, effects.env);
  const outputs = await loadTarget(effects, { stack, outputsFile: args.outputs });
  const report = assessStatus(await gatherStatus(effects, outputs, stack), effects.now());
  for (const warning of report.warnings) effects.logger.warn(warning);
  if (report.exitCode !== 0 && args.json) {
    // Keep the full report in --json, and still exit with the problem's code.
    const first = report.problems[0]!;
    const error =
      first.kind === "credentials" ? new CredentialsError(first.message) : new StatusProblem(first.message, report.exitCode);
    throw new CommandFailure(error, report as unknown as Record<string, unknown>);
  }
  return { exitCode: report.exitCode, summary: renderStatus(report), json: report as unknown as Record<string, unknown> };
}

/** A status problem carrying its exit code (4 or 6). */
class StatusProblem extends CliError {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
