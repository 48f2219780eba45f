// The deploy command's shell with every effect injected: no process, network or clock is real.
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../../scripts/lib/cli.ts";
import { CommandFailure } from "../../../scripts/lib/cli.ts";
import type { FetchLike } from "../../../scripts/lib/cloudflare-api.ts";
import { deployCommand, type DeployDeps } from "../../../scripts/lib/deploy-command.ts";
import { createMemoryLogger } from "../../../scripts/lib/logger.ts";
import type { RunCommand } from "../../../scripts/lib/process.ts";
import { createMasker } from "../../../scripts/lib/secrets.ts";

const TOKEN = "unit-deploy-token-123456";
const outputs = {
  accountId: "0123456789abcdef0123456789abcdef",
  zoneId: "zone1",
  zoneName: "example.com",
  domain: "perudo.example.com",
  routing: "custom-domain",
  environment: "staging",
  workerName: "perudo-vibe-staging",
  deployToken: TOKEN,
  deployTokenExpiresOn: "2099-01-01T00:00:00Z",
  host: "perudo.example.com",
  websocketUrl: "wss://perudo.example.com/parties/main",
  healthUrl: "https://perudo.example.com/health",
  allowedOrigins: ["https://app.example.com"],
  turnSeconds: 60,
};

// Cloudflare answers with Content-Type application/json; the SDK reads bodies by it.
const ok = (result: unknown) =>
  new Response(JSON.stringify({ success: true, errors: [], messages: [], result }), { status: 200, headers: { "content-type": "application/json" } });

function setup(options: { healthVersion: string }) {
  const calls: Array<{ command: string; args: string[]; env: NodeJS.ProcessEnv }> = [];
  const requests: string[] = [];
  const run: RunCommand = async (command, args, runOptions = {}) => {
    calls.push({ command, args, env: runOptions.env ?? {} });
    const result = { exitCode: 0, signal: null, stderr: "", timedOut: false, durationMs: 1 };
    if (command === "fake-pulumi") return { ...result, stdout: JSON.stringify(outputs) };
    if (command === "git") return { ...result, stdout: args[0] === "rev-parse" ? "abc1234\n" : "" };
    // wrangler: print the token-free progress, write the version id where wrangler would.
    runOptions.onStdout?.(Buffer.from(`Uploaded perudo-vibe-staging\nCurrent Version ID: 11111111-2222-3333-4444-555555555555\n`));
    await writeFile(runOptions.env!["WRANGLER_OUTPUT_FILE_PATH"]!, `{"type":"deploy","version_id":"ver-from-file"}\n`);
    return { ...result, stdout: "" };
  };
  const fetch: FetchLike = async (url, init) => {
    const { pathname } = new URL(url);
    requests.push(`${init?.method ?? "GET"} ${pathname}`);
    if (pathname === "/health") return new Response(JSON.stringify({ ok: true, version: options.healthVersion }));
    if (pathname === "/") return new Response('<!doctype html><meta name="application-name" content="perudo-vibe" />', { headers: { "content-type": "text/html" } });
    if (pathname.endsWith("/tokens/verify")) return ok({ id: "t", status: "active", expires_on: "2099-01-01T00:00:00Z" });
    if (pathname === "/client/v4/zones/zone1") return ok({ id: "zone1", name: "example.com", status: "active" });
    if (pathname.endsWith("/dns_records")) return ok([]);
    if (pathname.endsWith("/workers/domains") && init?.method === "PUT") {
      return ok({ id: "d1", hostname: "perudo.example.com", service: "perudo-vibe-staging" });
    }
    if (pathname.endsWith("/workers/domains")) return ok([]);
    return new Response("{}", { status: 404 });
  };
  let clock = 0;
  const deps: DeployDeps = {
    run,
    fetch,
    sleep: async (ms) => void (clock += ms),
    now: () => clock,
    socketCheck: async () => ({ ok: true, summary: "welcome and state received", received: ["welcome", "state"] }),
    projectRoot: "/project",
  };
  const logger = createMemoryLogger();
  const context = (argv: string[]): CommandContext => ({
    argv,
    env: { PULUMI_BIN: "fake-pulumi", WRANGLER_BIN: "fake-wrangler", CLOUDFLARE_API_TOKEN: "bootstrap-123456", CLOUDFLARE_API_BASE_URL: "http://cf.test/client/v4", DEPLOY_VERIFY_URL: "http://127.0.0.1:9" },
    masker: createMasker(),
    logger,
    setJsonMode: () => {},
  });
  return { calls, requests, deps, logger, context };
}

describe("deployCommand", () => {
  it("outputs -> preflight -> wrangler (deploy token, no --domain) -> attach -> verify -> report", async () => {
    const { calls, requests, deps, context } = setup({ healthVersion: "abc1234" });
    const outcome = await deployCommand(context(["--stack", "staging", "--json"]), deps);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.json).toMatchObject({
      ok: true,
      stack: "staging",
      buildId: "abc1234",
      versionId: "ver-from-file",
      verifiedAt: "http://127.0.0.1:9",
      url: "https://perudo.example.com",
      nextPublicPartykitHost: "perudo.example.com",
    });
    const wrangler = calls.find((call) => call.command === "fake-wrangler")!;
    expect(wrangler.args).toContain("BUILD_ID:abc1234");
    expect(wrangler.args).not.toContain("--domain");
    expect(wrangler.env).toMatchObject({ CLOUDFLARE_API_TOKEN: TOKEN, CLOUDFLARE_ACCOUNT_ID: outputs.accountId, WRANGLER_SEND_METRICS: "false" });
    expect(requests).toContain("PUT /client/v4/accounts/0123456789abcdef0123456789abcdef/workers/domains");
    // Verification: the new build on /health, then the play page at /.
    expect(requests.slice(-2)).toEqual(["GET /health", "GET /"]);
  });

  it("attaches its partial report to a failure, with the exit code of the error", async () => {
    const { deps, context } = setup({ healthVersion: "older" });
    const failure = await deployCommand(context(["--stack", "staging", "--build-id", "new", "--verify-timeout", "5"]), deps).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(CommandFailure);
    expect((failure as CommandFailure).json).toMatchObject({ ok: false, exitCode: 6, versionId: "ver-from-file", buildId: "new" });
  });

  it("--dry-run runs no wrangler and makes no write request", async () => {
    const { calls, requests, deps, context } = setup({ healthVersion: "x" });
    const outcome = await deployCommand(context(["--stack", "staging", "--build-id", "b1", "--dry-run"]), deps);
    expect(outcome.summary).toMatch(/CLOUDFLARE_API_TOKEN=\*\*\* CLOUDFLARE_API_BASE_URL=\S+ fake-wrangler deploy --name perudo-vibe-staging/);
    expect(outcome.summary).not.toContain(TOKEN);
    expect(calls.map((call) => call.command)).toEqual(["fake-pulumi"]);
    expect(requests.every((request) => request.startsWith("GET "))).toBe(true);
  });
});
