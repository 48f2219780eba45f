// Shared set-up for the ops end-to-end tests: a fake Cloudflare account, a fake pulumi that
// serves stack outputs, real wrangler against the fake, and our commands spawned as a user would.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OFFLINE_WRANGLER_ENV, PROJECT_ROOT } from "../../support/dev-server.ts";
import { runWrangler, type FakeCloudflare } from "../../support/fake-cloudflare/index.ts";
import { fakePulumiEnv, writePulumiState } from "../../support/fake-pulumi.ts";
import { parentEnvWithout } from "../../support/parent-env.ts";
import { runCollected, type CollectedRun } from "../../support/run-process.ts";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const ZONE_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const ZONE = "perudo-test.dev";
/** The stack's scoped deploy token (what the ops commands must use). */
export const DEPLOY_TOKEN = "scoped-deploy-token-FOR-TESTS-0123456789abcdef";
/** The operator's bootstrap token (must never be used or printed by the ops commands). */
export const BOOTSTRAP_TOKEN = "bootstrap-token-NEVER-PRINTED-abcdef012345";
export const PULUMI_ACCESS_TOKEN = "pul-access-token-NEVER-PRINTED-9876543210";

export function stackOutputs(stack: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const domain = `${stack}.${ZONE}`;
  return {
    accountId: ACCOUNT_ID,
    zoneId: ZONE_ID,
    zoneName: ZONE,
    domain,
    routing: "custom-domain",
    environment: stack,
    workerName: `perudo-vibe-${stack}`,
    deployToken: DEPLOY_TOKEN,
    deployTokenExpiresOn: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    host: domain,
    websocketUrl: `wss://${domain}/parties/main`,
    healthUrl: `https://${domain}/health`,
    allowedOrigins: [],
    turnSeconds: 60,
    ...overrides,
  };
}

/** A fresh state directory for the fake pulumi, with these stacks' outputs. */
export function pulumiState(stacks: Record<string, Record<string, unknown>>): string {
  return writePulumiState(mkdtempSync(path.join(tmpdir(), "ops-pulumi-")), stacks);
}

export type CommandResult = CollectedRun;

/** Runs `node scripts/<name>.ts ...args` with no terminal, as `npm run <name> -- ...` would. */
export function runOps(
  name: "status" | "rollback" | "teardown" | "rotate-token" | "doctor",
  args: string[],
  options: { fake?: FakeCloudflare; pulumiState?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {
    ...parentEnvWithout(["CLOUDFLARE_", "CF_", "PULUMI_", "DEPLOY_"]),
    ...OFFLINE_WRANGLER_ENV,
    CI: "true",
    // Ambient credentials an operator might have: the commands must neither use nor print them.
    CLOUDFLARE_API_TOKEN: BOOTSTRAP_TOKEN,
    PULUMI_ACCESS_TOKEN,
    ...fakePulumiEnv(options.pulumiState),
    ...(options.fake ? { CLOUDFLARE_API_BASE_URL: options.fake.url } : {}),
    ...options.env,
  };
  // process.execPath: the pinned Node the tests run on, which is what npm runs the scripts with.
  return runCollected(process.execPath, [path.join(PROJECT_ROOT, `scripts/${name}.ts`), ...args], {
    cwd: PROJECT_ROOT,
    env,
    timeoutMs: options.timeoutMs ?? 120_000,
  });
}

/** Uploads this project's Worker to the fake with real wrangler, as the deploy CLI does. */
export async function deployBuild(fake: FakeCloudflare, workerName: string, buildId: string, cwd: string = PROJECT_ROOT): Promise<string> {
  const result = await runWrangler(
    fake,
    ["deploy", "--name", workerName, "--var", `BUILD_ID:${buildId}`, "--tag", buildId, "--message", `test deploy ${buildId}`],
    { token: DEPLOY_TOKEN, cwd },
  );
  if (result.code !== 0) throw new Error(`wrangler deploy failed:\n${result.stdout}\n${result.stderr}`);
  const versionId = /Current Version ID:\s*([0-9a-f-]+)/.exec(result.stdout + result.stderr)?.[1];
  if (!versionId) throw new Error(`no version id in wrangler output:\n${result.stdout}`);
  return versionId;
}

/** True when none of the secrets appears in any of the texts. */
export function leakedSecrets(...texts: string[]): string[] {
  const all = texts.join("\n");
  return [DEPLOY_TOKEN, BOOTSTRAP_TOKEN, PULUMI_ACCESS_TOKEN].filter((secret) => all.includes(secret));
}
