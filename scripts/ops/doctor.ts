// `npm run doctor -- --stack <s>`: before `pulumi up`, and whenever a deploy fails, checks with
// the bootstrap token (CLOUDFLARE_API_TOKEN) and the stack config everything `pulumi up` and the
// first deploy need. Read-only: every Cloudflare call is a GET. Each check gathers on its own (one
// failing source never hides the others); judging is in doctor-checks.ts and preflight.ts.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseStackConfig, type StackConfig } from "../../infra/config.ts";
import { resolvePermissionGroups, requiredPermissionGroups } from "../../infra/permissions.ts";
import { CommandFailure, parseCliArgs, type CommandContext, type CommandOutcome } from "../lib/cli.ts";
import {
  CloudflareApiError,
  CloudflareClient,
  networkFailureHint,
  type PermissionGroup,
  type TokenVerifyResult,
  type Zone,
} from "../lib/cloudflare-api.ts";
import { CliError, CredentialsError, EXIT_CODES, PreflightError, UsageError, errorMessage } from "../lib/errors.ts";
import { loadStackOutputs, pulumiBin, type StackOutputs } from "../lib/outputs.ts";
import { TOKEN_EXPIRY_WARNING_DAYS, assessHostname, gatherHostnameFacts, verifyToken } from "../lib/preflight.ts";
import { z } from "../lib/zod.ts";
import { PROJECT_ROOT, PULUMI_DIR, stackName, type OpsEffects } from "./common.ts";
import {
  assessGrants,
  describeTarget,
  requiredBootstrapGrants,
  satisfies,
  type CheckArea,
  type CheckResult,
} from "./doctor-checks.ts";
import { defaultEffects } from "./effects.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

export const DOCTOR_USAGE = `Usage: npm run doctor -- --stack <name> [--outputs <file>] [--json]

Run it before \`pulumi up\`, and whenever a deploy fails. With the bootstrap token
(CLOUDFLARE_API_TOKEN, the token \`pulumi up\` uses) and the stack's config it checks, read-only
(GET requests only), everything \`pulumi up\` and the first deploy need, and prints one line per
check: ok, missing, or cannot tell, each with the exact fix.

Checks:
  node               the Node.js running this satisfies wrangler's "engines" (node_modules/wrangler)
  wrangler           wrangler is installed, at the version package.json asks for
  token              the bootstrap token is active, not expired, not expiring within ${TOKEN_EXPIRY_WARNING_DAYS} days
                     (GET /accounts/:account_id/tokens/verify, else GET /user/tokens/verify)
  permission-groups  it can read the permission-group list for the deploy token's owner
                     (tokenOwner account: GET /accounts/:account_id/tokens/permission_groups;
                     user: GET /user/tokens/permission_groups), and every group the deploy token
                     will be granted is in it
  token-grants       it holds API Tokens Write and every group the deploy token will be granted, at
                     the same scope, plus Zone Read and DNS Write on the zone (Zone Write on the
                     account's zones with createZone; Zone WAF Write on the zone with
                     wafRateLimit), read from the token's own policies
                     (GET /accounts/:account_id/tokens/:token_id or /user/tokens/:token_id). Where
                     Cloudflare does not let the token read itself: "cannot tell", and what to
                     check in the dashboard
  zone               the zone exists on the configured account and is active; pending lists the
                     nameservers to set at the registrar (GET /zones?name=, or GET /zones/:zone_id)
  hostname           the domain is free for this stack's routing mode, by the same rules as the
                     deploy preflight (DNS records, Custom Domains, Worker routes at the host)

  --stack <name>    Pulumi stack whose config to read: \`pulumi config --json --stack <name>\`
                    (default: PULUMI_STACK)
  --outputs <file>  for a stack already up: read zone, domain, routing and Worker name from its
                    outputs (pulumi stack output --json --show-secrets); --stack then only adds
                    tokenOwner and wafRateLimit from the config
  --json            one JSON object on stdout: { ok, exitCode, checks: [{ name, status, detail, fix }] }
  --help            this text

Exit codes: 0 every check ok (or cannot tell); 2 usage, unreadable config, or Node/wrangler not
as required (run npm ci); 3 a token problem (bootstrap token inactive, expiring, or lacking a
group); 4 an account, zone or hostname problem, or Cloudflare's API not reachable.
Environment: CLOUDFLARE_API_TOKEN (required), CLOUDFLARE_API_BASE_URL, PULUMI_BIN.`;

/** The stack facts the checks need, from the config (before `pulumi up`) or the outputs (after). */
export interface DoctorTarget {
  source: "config" | "outputs";
  stack: string | undefined;
  accountId: string;
  zoneName: string;
  /** Known from the outputs; looked up by name otherwise. */
  zoneId: string | undefined;
  domain: string;
  routing: StackConfig["routing"];
  workerName: string;
  tokenOwner: StackConfig["tokenOwner"];
  createZone: boolean;
  /** From the config; 0 (no WAF rule) when only outputs are known. */
  wafRateLimit: number;
}

export interface DoctorReport {
  ok: boolean;
  exitCode: number;
  stack: string | null;
  source: DoctorTarget["source"];
  checks: CheckResult[];
}

/** pulumi config --json: { "<ns>:<key>": { value, secret, objectValue? } }. */
const pulumiConfigSchema = z.record(z.string(), z.object({ value: z.unknown().optional(), secret: z.boolean().optional() }).loose());

async function readStackConfig(effects: OpsEffects, stack: string): Promise<StackConfig> {
  const bin = pulumiBin(effects.env);
  const result = await effects.run(bin, ["config", "--json", "--stack", stack], { cwd: PULUMI_DIR, env: effects.env, timeoutMs: 60_000 });
  if (result.spawnError) {
    throw new UsageError(`Could not run pulumi (${bin}): ${result.spawnError.message}. Install the Pulumi CLI or set PULUMI_BIN.`);
  }
  if (result.exitCode !== 0) {
    const said = `${result.stderr}\n${result.stdout}`.trim().split("\n").slice(-3).join(" ");
    throw new UsageError(`\`pulumi config --json --stack ${stack}\` failed: ${said || `exit ${result.exitCode}`}. Create the stack with \`pulumi stack init ${stack}\`.`);
  }
  let parsed: z.infer<typeof pulumiConfigSchema>;
  try {
    parsed = pulumiConfigSchema.parse(JSON.parse(result.stdout));
  } catch {
    throw new UsageError(`\`pulumi config --json --stack ${stack}\` did not print the JSON it should.`);
  }
  const raw: Record<string, string> = {};
  for (const [key, entry] of Object.entries(parsed)) {
    if (!key.startsWith("perudo-vibe:") || entry.value === undefined) continue;
    raw[key] = typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value);
  }
  try {
    return parseStackConfig(raw, stack);
  } catch (error) {
    throw new UsageError(`The config of stack ${stack} is not valid:\n${errorMessage(error)}`);
  }
}

async function resolveTarget(effects: OpsEffects, stack: string | undefined, outputsFile: string | undefined): Promise<DoctorTarget> {
  const config = stack ? await readStackConfig(effects, stack) : undefined;
  if (outputsFile) {
    const outputs: StackOutputs = await loadStackOutputs({
      stack,
      outputsFile,
      pulumiBin: pulumiBin(effects.env),
      run: effects.run,
      cwd: PULUMI_DIR,
      env: effects.env,
    });
    effects.masker.add(outputs.deployToken);
    return {
      source: "outputs",
      stack,
      accountId: outputs.accountId,
      zoneName: outputs.zoneName,
      zoneId: outputs.zoneId,
      domain: outputs.domain,
      routing: outputs.routing,
      workerName: outputs.workerName,
      tokenOwner: config?.tokenOwner ?? "account",
      createZone: false,
      wafRateLimit: config?.wafRateLimit ?? 0,
    };
  }
  if (!config) throw new UsageError(`No stack given: pass --stack <name> (or set PULUMI_STACK), or --outputs <file>.\n\n${DOCTOR_USAGE}`);
  return {
    source: "config",
    stack,
    accountId: config.accountId,
    zoneName: config.zone,
    zoneId: undefined,
    domain: config.domain,
    routing: config.routing,
    workerName: config.workerName,
    tokenOwner: config.tokenOwner,
    createZone: config.createZone,
    wafRateLimit: config.wafRateLimit,
  };
}

// --- the checks: each returns its line; none throws ---

async function checkNode(): Promise<CheckResult> {
  const name = "node";
  try {
    const wrangler = JSON.parse(await readFile(path.join(PROJECT_ROOT, "node_modules/wrangler/package.json"), "utf8")) as { engines?: { node?: string } };
    const range = wrangler.engines?.node;
    const version = process.versions.node;
    if (!range) return { name, area: "setup", status: "cannot tell", detail: `Node ${version}; wrangler states no engines.node` };
    const ok = satisfies(version, range);
    if (ok === true) return { name, area: "setup", status: "ok", detail: `Node ${version} satisfies wrangler's engines ${range}` };
    if (ok === false) {
      return {
        name,
        area: "setup",
        status: "missing",
        detail: `Node ${version} does not satisfy wrangler's engines ${range}`,
        fix: "Run `npm ci`: npm scripts then run on the Node this project installs (or install a Node that matches).",
      };
    }
    return { name, area: "setup", status: "cannot tell", detail: `Node ${version}; wrangler's engines range ${range} is not one this check reads`, fix: `Compare by hand: ${range}.` };
  } catch {
    return { name, area: "setup", status: "missing", detail: "wrangler is not installed (node_modules/wrangler)", fix: "Run `npm ci`." };
  }
}

async function checkWrangler(): Promise<CheckResult> {
  const name = "wrangler";
  try {
    const project = JSON.parse(await readFile(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const wanted = project.devDependencies?.["wrangler"] ?? project.dependencies?.["wrangler"];
    const installed = (JSON.parse(await readFile(path.join(PROJECT_ROOT, "node_modules/wrangler/package.json"), "utf8")) as { version: string }).version;
    if (!wanted) return { name, area: "setup", status: "cannot tell", detail: `wrangler ${installed} installed; package.json does not list it` };
    const ok = satisfies(installed, wanted);
    if (ok === false) {
      return { name, area: "setup", status: "missing", detail: `wrangler ${installed} installed, package.json wants ${wanted}`, fix: "Run `npm ci`." };
    }
    return { name, area: "setup", status: ok ? "ok" : "cannot tell", detail: `wrangler ${installed} (package.json: ${wanted})` };
  } catch {
    return { name, area: "setup", status: "missing", detail: "wrangler is not installed (node_modules/wrangler)", fix: "Run `npm ci`." };
  }
}

/** A Cloudflare failure as a check line: the network is "cannot tell" (area account: exit 4). */
function apiFailure(name: string, area: CheckArea, error: unknown, what: string, authFix: string): CheckResult {
  if (error instanceof CloudflareApiError && error.isNetworkFailure) {
    return { name, area: "account", status: "missing", detail: `Cloudflare's API did not answer (${error.message})`, fix: networkFailureHint() };
  }
  if (error instanceof CloudflareApiError && error.kind === "auth") {
    return { name, area, status: "missing", detail: `the bootstrap token may not ${what} (${error.details || error.message})`, fix: authFix };
  }
  return { name, area, status: "cannot tell", detail: `could not ${what}: ${errorMessage(error)}`, fix: "Run the doctor again; if it persists, check Cloudflare's status page." };
}

interface TokenState {
  result: TokenVerifyResult;
  verifiedAt: "account" | "user";
}

function judgeToken(token: TokenState, now: Date): CheckResult {
  const name = "token";
  const { result } = token;
  const owner = token.verifiedAt === "account" ? "account-owned" : "user-owned";
  if (result.status !== "active") {
    return {
      name,
      area: "token",
      status: "missing",
      detail: `the bootstrap token (${owner}) is ${result.status}`,
      fix: "Create a new bootstrap token (README, Deploy step 2; docs/permissions.md) and export it as CLOUDFLARE_API_TOKEN.",
    };
  }
  if (result.expires_on) {
    const left = Date.parse(result.expires_on) - now.getTime();
    if (left <= 0 || left < TOKEN_EXPIRY_WARNING_DAYS * DAY_MS) {
      return {
        name,
        area: "token",
        status: "missing",
        detail: left <= 0 ? `the bootstrap token expired on ${result.expires_on}` : `the bootstrap token expires on ${result.expires_on} (in ${Math.floor(left / DAY_MS)} day(s))`,
        fix: "Extend it (dashboard > My Profile or Manage Account > API Tokens > edit > TTL) or create a new one.",
      };
    }
  }
  return { name, area: "token", status: "ok", detail: `active, ${owner}${result.expires_on ? `, expires ${result.expires_on}` : ", no expiry"}` };
}

async function checkPermissionGroups(
  client: CloudflareClient,
  target: DoctorTarget,
): Promise<{ line: CheckResult; groups: PermissionGroup[] | undefined }> {
  const name = "permission-groups";
  const where = target.tokenOwner === "account" ? `GET /accounts/${target.accountId}/tokens/permission_groups` : "GET /user/tokens/permission_groups";
  let groups: PermissionGroup[];
  try {
    groups = target.tokenOwner === "account" ? await client.listAccountPermissionGroups(target.accountId) : await client.listUserPermissionGroups();
  } catch (error) {
    return {
      line: apiFailure(
        name,
        "token",
        error,
        `read the permission-group list (${where})`,
        target.tokenOwner === "account"
          ? "Give the bootstrap token Account API Tokens: Edit (API Tokens Write) on this account (docs/permissions.md)."
          : 'Start the bootstrap token from the "Create Additional Tokens" template (User API Tokens: Edit) and add the groups in docs/permissions.md.',
      ),
      groups: undefined,
    };
  }
  const resolution = resolvePermissionGroups(requiredPermissionGroups(target.routing), groups.map((group) => ({ id: group.id, name: group.name, scopes: group.scopes })));
  if (!resolution.ok) {
    const names = resolution.missing.map(({ group, scope }) => `"${group}" (${scope})`).join(", ");
    return {
      line: {
        name,
        area: "token",
        status: "missing",
        detail: `${where} lists ${groups.length} groups, but not ${names}`,
        fix: groups.length === 0
          ? "The list is empty: the bootstrap token cannot read it. Give it API Tokens Write (docs/permissions.md)."
          : "Cloudflare may have renamed a group: update infra/permissions.ts and docs/permissions.md to the new name.",
      },
      groups,
    };
  }
  return { line: { name, area: "token", status: "ok", detail: `${where}: ${groups.length} groups, all the deploy token needs are there` }, groups };
}

async function checkGrants(
  client: CloudflareClient,
  target: DoctorTarget,
  token: TokenState,
  groups: PermissionGroup[] | undefined,
  zoneId: string | undefined,
): Promise<CheckResult> {
  const name = "token-grants";
  const required = requiredBootstrapGrants(target);
  const names = { zone: target.zoneName };
  const listRequired = () => required.map((grant) => `${grant.group} ${describeTarget(grant.target, names)}`).join("; ");
  const byHand = `In the dashboard (API Tokens > the bootstrap token > Edit) check it holds: ${listRequired()}.`;
  let detail;
  try {
    detail =
      token.verifiedAt === "account" ? await client.getAccountToken(target.accountId, token.result.id) : await client.getUserToken(token.result.id);
  } catch (error) {
    if (error instanceof CloudflareApiError && !error.isNetworkFailure && (error.kind === "auth" || error.kind === "not-found")) {
      return {
        name,
        area: "token",
        status: "cannot tell",
        detail: `Cloudflare does not let the bootstrap token read its own policies (${error.details || error.message})`,
        fix: byHand,
      };
    }
    return apiFailure(name, "token", error, "read its own policies", byHand);
  }
  if (!detail.policies) return { name, area: "token", status: "cannot tell", detail: "the token's details carry no policies", fix: byHand };
  const groupNames = new Map((groups ?? []).map((group) => [group.id, group.name] as const));
  const { missing } = assessGrants(detail, required, groupNames, { accountId: target.accountId, zoneId });
  if (missing.length > 0) {
    return {
      name,
      area: "token",
      status: "missing",
      detail: `the bootstrap token lacks ${missing.map((grant) => `${grant.group} ${describeTarget(grant.target, names)}`).join(", ")}`,
      fix:
        `Edit the bootstrap token and add ${missing.length === 1 ? "it" : "them"}: a token cannot grant what its creator lacks, and ` +
        `Cloudflare refuses zone-scoped groups the creator does not hold (400, code 1001 "Failed common permission check"). See docs/permissions.md.`,
    };
  }
  return { name, area: "token", status: "ok", detail: `holds all ${required.length}: ${listRequired()}` };
}

async function findZone(client: CloudflareClient, target: DoctorTarget): Promise<{ line: CheckResult; zone: Zone | undefined }> {
  const name = "zone";
  const authFix = `Give the bootstrap token Zone: Read on ${target.zoneName} (docs/permissions.md).`;
  let zone: Zone | undefined;
  let elsewhere: Zone | undefined;
  try {
    if (target.zoneId) {
      zone = await client.getZone(target.zoneId);
    } else {
      const zones = (await client.listZonesByName(target.zoneName)).filter((candidate) => candidate.name === target.zoneName);
      zone = zones.find((candidate) => candidate.account?.id === target.accountId);
      elsewhere = zones.find((candidate) => candidate.account?.id !== target.accountId);
    }
  } catch (error) {
    return { line: apiFailure(name, "account", error, `read zone ${target.zoneName}`, authFix), zone: undefined };
  }
  if (!zone) {
    if (elsewhere) {
      return {
        line: {
          name,
          area: "account",
          status: "missing",
          detail: `${target.zoneName} exists, but on account ${elsewhere.account?.id ?? "(unknown)"}, not the configured ${target.accountId}`,
          fix: `Set the stack's accountId to the zone's account: pulumi config set perudo-vibe:accountId ${elsewhere.account?.id ?? "<id>"}`,
        },
        zone: undefined,
      };
    }
    if (target.createZone) return { line: { name, area: "account", status: "ok", detail: `${target.zoneName} does not exist yet; pulumi up creates it (createZone)` }, zone: undefined };
    return {
      line: {
        name,
        area: "account",
        status: "missing",
        detail: `no zone ${target.zoneName} that the bootstrap token can see on account ${target.accountId}`,
        fix: `Add ${target.zoneName} to the account (dashboard > Add a domain), or set createZone: pulumi config set perudo-vibe:createZone true. If it exists, give the bootstrap token Zone: Read on it.`,
      },
      zone: undefined,
    };
  }
  if (zone.account?.id && zone.account.id !== target.accountId) {
    return {
      line: { name, area: "account", status: "missing", detail: `zone ${zone.name} is on account ${zone.account.id}, not ${target.accountId}`, fix: "Fix accountId in the stack config." },
      zone,
    };
  }
  if (zone.status === "active") return { line: { name, area: "account", status: "ok", detail: `${zone.name} (${zone.id}) is active on account ${target.accountId}` }, zone };
  if (zone.status === "pending") {
    const nameservers = zone.name_servers ?? [];
    return {
      line: {
        name,
        area: "account",
        status: "missing",
        detail: `${zone.name} is pending: Cloudflare has not seen its nameservers yet, so the first deploy cannot serve it`,
        fix: nameservers.length
          ? `Set these nameservers at your registrar: ${nameservers.join(", ")}. Activation can take up to 24 hours.`
          : "Set the nameservers shown in the dashboard at your registrar.",
      },
      zone,
    };
  }
  if (!zone.status) return { line: { name, area: "account", status: "cannot tell", detail: `Cloudflare reports no status for ${zone.name}`, fix: `Check ${zone.name} > Overview in the dashboard.` }, zone };
  return { line: { name, area: "account", status: "missing", detail: `${zone.name} is ${zone.status}, not active`, fix: `See ${zone.name} > Overview in the dashboard.` }, zone };
}

async function checkHostname(client: CloudflareClient, target: DoctorTarget, zoneId: string | undefined): Promise<CheckResult> {
  const name = "hostname";
  if (!zoneId) {
    return target.createZone
      ? { name, area: "account", status: "ok", detail: `${target.domain}: a zone pulumi up creates has no records yet` }
      : { name, area: "account", status: "cannot tell", detail: `${target.domain}: the zone was not found`, fix: "Fix the zone check first." };
  }
  const outputs = { accountId: target.accountId, zoneId, zoneName: target.zoneName, domain: target.domain, routing: target.routing, workerName: target.workerName };
  let facts;
  try {
    facts = await gatherHostnameFacts(client, outputs, (error) => error as Error);
  } catch (error) {
    const line = apiFailure(name, "account", error, "read the DNS records, Custom Domains and routes at the host", "The bootstrap token needs DNS Read and Workers Scripts Write (docs/permissions.md).");
    // A group the token lacks is token-grants' finding; here it only means "not checked".
    return error instanceof CloudflareApiError && error.kind === "auth" ? { ...line, status: "cannot tell" } : line;
  }
  const { problems } = assessHostname(outputs, facts, { routeRecordByPulumi: target.source === "config" });
  if (problems.length > 0) {
    return {
      name,
      area: "account",
      status: "missing",
      detail: `${target.domain} is not free for ${target.workerName} (${target.routing})`,
      fix: problems.map((problem) => problem.message).join("\n"),
    };
  }
  return { name, area: "account", status: "ok", detail: `${target.domain} is free for ${target.workerName} (${target.routing})` };
}

/** Runs every check. Token first: the API checks need to know which kind of token it is. */
export async function runChecks(effects: OpsEffects, target: DoctorTarget, token: string): Promise<CheckResult[]> {
  effects.logger.step(`Doctor${target.stack ? ` (${target.stack})` : ""}: ${target.domain} in ${target.zoneName}, account ${target.accountId}`);
  const client = new CloudflareClient({
    token,
    baseUrl: effects.env["CLOUDFLARE_API_BASE_URL"],
    fetch: effects.fetch,
    sleep: effects.sleep,
    attempts: 2,
    backoffBaseMs: 500,
    onRetry: (message) => effects.logger.warn(message),
  });
  const [node, wrangler] = await Promise.all([checkNode(), checkWrangler()]);
  const checks: CheckResult[] = [node, wrangler];
  let verified: TokenState | undefined;
  try {
    verified = await verifyToken(client, target.accountId, "the bootstrap token (CLOUDFLARE_API_TOKEN)");
  } catch (error) {
    const cause = error instanceof Error ? error : new Error(String(error));
    const network = cause instanceof PreflightError && /did not answer/.test(cause.message);
    checks.push({
      name: "token",
      area: network ? "account" : "token",
      status: "missing",
      detail: cause.message.split("\n")[0]!,
      ...(network
        ? { fix: networkFailureHint() }
        : { fix: "Create the bootstrap token as README (Deploy, step 2) and docs/permissions.md say, and export it as CLOUDFLARE_API_TOKEN." }),
    });
    const skipped = network ? "Cloudflare's API is not reachable" : "the bootstrap token was refused";
    for (const name of ["permission-groups", "token-grants", "zone", "hostname"]) {
      checks.push({ name, area: "token", status: "cannot tell", detail: `not checked: ${skipped}` });
    }
    return checks;
  }
  checks.push(judgeToken(verified, effects.now()));
  const [groups, zone] = await Promise.all([checkPermissionGroups(client, target), findZone(client, target)]);
  const zoneId = zone.zone?.id ?? target.zoneId;
  const [grants, hostname] = await Promise.all([checkGrants(client, target, verified, groups.groups, zoneId), checkHostname(client, target, zoneId)]);
  checks.push(groups.line, grants, zone.line, hostname);
  return checks;
}

/** Exit code for a set of lines. Pure. */
export function doctorExitCode(checks: CheckResult[]): number {
  const missing = checks.filter((check) => check.status === "missing");
  if (missing.some((check) => check.area === "setup")) return EXIT_CODES.usage;
  if (missing.some((check) => check.area === "token")) return EXIT_CODES.credentials;
  if (missing.length > 0) return EXIT_CODES.preflight;
  return EXIT_CODES.ok;
}

/** The human report. Pure. */
export function renderDoctor(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((check) => check.name.length));
  const lines = report.checks.map((check) => {
    const head = `${check.status.padEnd(11)} ${check.name.padEnd(width)}  ${check.detail}`;
    return check.fix && check.status !== "ok" ? `${head}\n${" ".repeat(width + 14)}fix: ${check.fix.replace(/\n/g, `\n${" ".repeat(width + 19)}`)}` : head;
  });
  const missing = report.checks.filter((check) => check.status === "missing").length;
  const unknown = report.checks.filter((check) => check.status === "cannot tell").length;
  lines.push(
    missing === 0
      ? `All checks ok${unknown ? ` (${unknown} cannot tell: see above)` : ""}. Next: pulumi up --stack ${report.stack ?? "<stack>"}, then npm run deploy -- --stack ${report.stack ?? "<stack>"}.`
      : `${missing} check(s) missing${unknown ? `, ${unknown} cannot tell` : ""}: fix them and run npm run doctor again.`,
  );
  return lines.join("\n");
}

const argsSchema = z.object({
  stack: z.string().trim().min(1).optional(),
  outputs: z.string().min(1).optional(),
  json: z.boolean().default(false),
  help: z.boolean().default(false),
});

export async function doctorCommand(context: CommandContext, effects: OpsEffects = defaultEffects(context)): Promise<CommandOutcome> {
  const args = parseCliArgs(
    context.argv,
    { stack: { type: "string" }, outputs: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    argsSchema,
    DOCTOR_USAGE,
  );
  if (args.help) return { exitCode: 0, summary: DOCTOR_USAGE };
  context.setJsonMode(args.json);
  const stack = stackName(args.stack, effects.env);
  const token = effects.env["CLOUDFLARE_API_TOKEN"];
  if (!token) {
    throw new CredentialsError(
      "CLOUDFLARE_API_TOKEN is not set: the doctor checks the bootstrap token `pulumi up` uses. Export it (README, Deploy step 2), or put it in .env.",
    );
  }
  effects.masker.add(token);
  const target = await resolveTarget(effects, stack, args.outputs);
  const checks = await runChecks(effects, target, token);
  const exitCode = doctorExitCode(checks);
  const report: DoctorReport = { ok: exitCode === 0, exitCode, stack: stack ?? null, source: target.source, checks };
  const summary = renderDoctor(report);
  if (exitCode !== 0 && args.json) {
    // Keep the full report in --json, and still exit with the finding's code.
    const missing = checks.filter((check) => check.status === "missing").map((check) => check.name);
    throw new CommandFailure(new DoctorProblem(`missing: ${missing.join(", ")}`, exitCode), report as unknown as Record<string, unknown>);
  }
  return { exitCode, summary, json: report as unknown as Record<string, unknown> };
}

/** A doctor finding carrying its exit code (2, 3 or 4). */
class DoctorProblem extends CliError {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}
