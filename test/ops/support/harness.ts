// Shared set-up for the ops end-to-end tests: a fake Cloudflare account, a fake pulumi that
// serves stack outputs, real wrangler against the fake, and our commands spawned as a user would.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { OFFLINE_WRANGLER_ENV, PROJECT_ROOT } from "../../support/dev-server.js";
import { runWrangler, type FakeCloudflare } from "../../support/fake-cloudflare/index.js";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const ZONE_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const ZONE = "perudo-test.dev";
/** The stack's scoped deploy token (what the ops commands must use). */
export const DEPLOY_TOKEN = "scoped-deploy-token-FOR-TESTS-0123456789abcdef";
/** The operator's bootstrap token (must never be used or printed by the ops commands). */
export const BOOTSTRAP_TOKEN = "bootstrap-token-NEVER-PRINTED-abcdef012345";
export const PULUMI_ACCESS_TOKEN = "pul-access-token-NEVER-PRINTED-9876543210";
export const FAKE_PULUMI = path.join(import.meta.dirname, "fake-pulumi.mjs");
const TSX = path.join(PROJECT_ROOT, "node_modules/.bin/tsx");

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

/** A directory the fake pulumi reads; write one <stack>.json per stack. */
export function pulumiState(stacks: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "ops-pulumi-"));
  for (const [stack, outputs] of Object.entries(stacks)) {
    writeFileSync(path.join(dir, `${stack}.json`), JSON.stringify(outputs, null, 2));
  }
  writeFileSync(path.join(dir, "calls.jsonl"), "");
  return dir;
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsx scripts/<name>.ts ...args` with no terminal, as `npm run <name> -- ...` would. */
export function runOps(
  name: "status" | "rollback" | "teardown" | "rotate-token",
  args: string[],
  options: { fake?: FakeCloudflare; pulumiState?: string; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(CLOUDFLARE_|CF_|PULUMI_|DEPLOY_)/.test(key) || /_proxy$/i.test(key)) continue;
    env[key] = value;
  }
  Object.assign(env, OFFLINE_WRANGLER_ENV, {
    CI: "true",
    // Ambient credentials an operator might have: the commands must neither use nor print them.
    CLOUDFLARE_API_TOKEN: BOOTSTRAP_TOKEN,
    PULUMI_ACCESS_TOKEN,
    PULUMI_BIN: FAKE_PULUMI,
    ...(options.pulumiState ? { FAKE_PULUMI_STATE: options.pulumiState } : {}),
    ...(options.fake ? { CLOUDFLARE_API_BASE_URL: options.fake.url } : {}),
    ...options.env,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(PROJECT_ROOT, `scripts/${name}.ts`), ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // gone
      }
    }, options.timeoutMs ?? 120_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
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
