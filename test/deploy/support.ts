// Shared fixtures for the deploy end-to-end tests: one fake account layout, stack outputs per
// scenario, and a runner that spawns `node scripts/deploy.ts` exactly as a user would.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { PROJECT_ROOT } from "../support/dev-server.ts";
import type { FakeCloudflare, FakeCloudflareOptions, RecordedRequest } from "../support/fake-cloudflare/index.ts";
import { fakePulumiEnv } from "../support/fake-pulumi.ts";
import { parentEnvWithout } from "../support/parent-env.ts";
import { npmScriptNodeArgs, runCollected, type CollectedRun } from "../support/run-process.ts";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const ZONE_ID = "1b1e1c1d1e1f10111213141516171819";
export const PENDING_ZONE_ID = "2c2e2c2d2e2f20212223242526272829";
/** The stack's deploy token (output deployToken): the only token wrangler may ever see. */
export const DEPLOY_TOKEN = "e2e-deploy-token-Q3v9ZkT1mWx8Lr2Pd7Hs";
/** The operator's bootstrap token (ambient CLOUDFLARE_API_TOKEN): must never reach Cloudflare. */
export const BOOTSTRAP_TOKEN = "e2e-bootstrap-token-Jb5Nq8Vc2Yf6Gt4Kw1Ez";
export const SECRETS = [DEPLOY_TOKEN, BOOTSTRAP_TOKEN] as const;
export const ALLOWED_ORIGIN = "https://app.example.com";

export const UPLOAD = "PUT /accounts/:account_id/workers/scripts/:script_name";
export const VERSION_UPLOAD = "POST /accounts/:account_id/workers/scripts/:script_name/versions";
export const ATTACH = "PUT /accounts/:account_id/workers/domains";
export const SERVICE = "GET /accounts/:account_id/workers/services/:script_name";

/** The fake account: zone example.com (active), pending.test (pending), both tokens known. */
export function fakeAccount(extra: Partial<FakeCloudflareOptions> = {}): FakeCloudflareOptions {
  const inAYear = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
  return {
    accountId: ACCOUNT_ID,
    tokens: {
      [DEPLOY_TOKEN]: { status: "active", kind: "account", expiresOn: inAYear },
      // Valid on purpose: if it ever leaked into a request, that request would succeed and only
      // the Authorization assertions would notice.
      [BOOTSTRAP_TOKEN]: { status: "active", kind: "user" },
      ...extra.tokens,
    },
    zones: [
      { id: ZONE_ID, name: "example.com", status: "active" },
      { id: PENDING_ZONE_ID, name: "pending.test", status: "pending", nameServers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] },
      ...(extra.zones ?? []),
    ],
    dnsRecords: extra.dnsRecords ?? [],
    workerDomains: extra.workerDomains ?? [],
    ...(extra.scripts ? { scripts: extra.scripts } : {}),
    logUnhandled: true,
  };
}

export interface OutputsInput {
  stack: string;
  domain: string;
  routing?: "custom-domain" | "route";
  workerName?: string;
  zoneId?: string;
  zoneName?: string;
  deployToken?: string;
}

/** Stack outputs as `pulumi stack output --json --show-secrets` prints them. */
export function stackOutputs(input: OutputsInput): Record<string, unknown> {
  return {
    accountId: ACCOUNT_ID,
    zoneId: input.zoneId ?? ZONE_ID,
    zoneName: input.zoneName ?? "example.com",
    domain: input.domain,
    routing: input.routing ?? "custom-domain",
    environment: input.stack,
    workerName: input.workerName ?? `perudo-vibe-${input.stack}`,
    deployToken: input.deployToken ?? DEPLOY_TOKEN,
    deployTokenExpiresOn: new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString(),
    host: input.domain,
    websocketUrl: `wss://${input.domain}/parties/main`,
    healthUrl: `https://${input.domain}/health`,
    allowedOrigins: [ALLOWED_ORIGIN],
    turnSeconds: 60,
  };
}

export interface DeployRun extends CollectedRun {
  /** Requests the fake received during this run. */
  requests: RecordedRequest[];
  /** stdout parsed, when --json was passed. */
  json?: Record<string, any>;
}

export interface RunDeployOptions {
  fake: FakeCloudflare;
  /** The fake pulumi's state directory (test/support/fake-pulumi.ts writePulumiState). */
  pulumiState: string;
  verifyUrl?: string;
  env?: Record<string, string>;
  /** Drop WRANGLER_* from the parent env (to prove the CLI sets them itself). */
  withoutWranglerEnv?: boolean;
  timeoutMs?: number;
}

/** Spawns the CLI exactly as `npm run deploy -- ...args` does, with a bootstrap token in the parent environment. */
export async function runDeploy(args: string[], options: RunDeployOptions): Promise<DeployRun> {
  const from = options.fake.requests.length;
  const env: NodeJS.ProcessEnv = {
    ...parentEnvWithout(["CLOUDFLARE_", "CF_", "PULUMI_", "DEPLOY_", ...(options.withoutWranglerEnv ? ["WRANGLER_"] : [])]),
    CLOUDFLARE_API_TOKEN: BOOTSTRAP_TOKEN,
    CLOUDFLARE_API_BASE_URL: options.fake.url,
    ...fakePulumiEnv(options.pulumiState),
    DEPLOY_RETRY_BACKOFF_MS: "200",
    ...(options.verifyUrl ? { DEPLOY_VERIFY_URL: options.verifyUrl } : {}),
    ...options.env,
  };
  const { code, stdout, stderr } = await runCollected(process.execPath, [...npmScriptNodeArgs("deploy"), ...args], {
    cwd: PROJECT_ROOT,
    env,
    timeoutMs: options.timeoutMs ?? 150_000,
  });
  const run: DeployRun = { code, stdout, stderr, requests: options.fake.requests.slice(from) };
  if (args.includes("--json")) {
    try {
      run.json = JSON.parse(stdout) as Record<string, any>;
    } catch {
      throw new Error(`--json stdout is not one JSON object:\n${stdout}\n--- stderr ---\n${stderr}`);
    }
  }
  return run;
}

/** Fails with the run's output, so a wrong exit code explains itself. */
export function expectExit(run: DeployRun, code: number): void {
  if (run.code !== code) {
    throw new Error(`expected exit ${code}, got ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

/** No secret in stdout or stderr, and the bootstrap token in no request. */
export function expectNoLeaks(run: DeployRun): void {
  for (const secret of SECRETS) {
    expect(run.stdout, "stdout leaks a secret").not.toContain(secret);
    expect(run.stderr, "stderr leaks a secret").not.toContain(secret);
  }
  for (const request of run.requests) {
    expect(JSON.stringify(request.headers)).not.toContain(BOOTSTRAP_TOKEN);
    expect(JSON.stringify(request.query)).not.toContain(BOOTSTRAP_TOKEN);
  }
}

/** Every request of the run authenticated with exactly the stack's deploy token. */
export function expectOnlyDeployToken(run: DeployRun, token: string = DEPLOY_TOKEN): void {
  const authorizations = new Set(run.requests.map((request) => request.headers["authorization"]));
  expect([...authorizations]).toEqual([`Bearer ${token}`]);
}

/** No request carried an override flag (body, query, or multipart part). */
export function expectNoOverride(run: DeployRun): void {
  for (const request of run.requests) {
    const text = JSON.stringify({ body: request.body ?? null, query: request.query, parts: request.parts?.map((p) => p.name === "metadata" ? p.text : p.name) });
    expect(text, `${request.endpoint} carries an override flag`).not.toMatch(/override_existing|override_scope/);
  }
}

export function endpointsOf(run: DeployRun): string[] {
  return run.requests.map((request) => request.endpoint);
}

/** Writes the endpoint templates the runs used to .tmp/deploy-evidence/<name>.json. */
export async function writeEndpointEvidence(name: string, endpoints: Iterable<string>): Promise<string> {
  const dir = path.join(PROJECT_ROOT, ".tmp/deploy-evidence");
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, `${JSON.stringify([...new Set(endpoints)].sort(), null, 2)}\n`);
  return file;
}

/** Endpoint templates (`METHOD /path`) in the first column of docs/permissions.md's tables. */
export function documentedEndpoints(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const line of markdown.split("\n")) {
    const firstCell = /^\s*\|\s*([^|]*)\|/.exec(line)?.[1] ?? "";
    for (const match of firstCell.matchAll(/`((?:GET|PUT|POST|PATCH|DELETE) \/[^`]*)`/g)) {
      found.add(match[1]!.trim().replace(/\?.*$/, ""));
    }
  }
  return found;
}
