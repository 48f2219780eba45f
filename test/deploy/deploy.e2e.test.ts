// `npm run deploy` end to end, success paths: the real CLI (node scripts/deploy.ts) with a fake
// `pulumi`, the real wrangler (the version pinned in package.json) uploading to the fake
// Cloudflare API, and verification against a real `wrangler dev` of this project started with
// the same vars.
import { createHash } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT, startDevServer, WRANGLER_BIN, type DevServer } from "../support/dev-server.ts";
import { startFakeCloudflare, uploadMetadata, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { writePulumiState } from "../support/fake-pulumi.ts";
import { npmScriptNodeArgs, runCollected, type CollectedRun } from "../support/run-process.ts";
import {
  ACCOUNT_ID,
  ALLOWED_ORIGIN,
  ATTACH,
  DEPLOY_TOKEN,
  SERVICE,
  UPLOAD,
  VERSION_UPLOAD,
  ZONE_ID,
  endpointsOf,
  expectExit,
  expectNoLeaks,
  expectNoOverride,
  expectOnlyDeployToken,
  fakeAccount,
  runDeploy,
  stackOutputs,
  type DeployRun,
} from "./support.ts";
import { expectEndpointsDocumented } from "./permissions-doc.ts";

const BUILD = "e2e-build-1";
let fake: FakeCloudflare;
let dev: DevServer;
let dir: string;
const runs: DeployRun[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "deploy-e2e-"));
  writePulumiState(dir, {
    staging: stackOutputs({ stack: "staging", domain: "perudo.example.com" }),
    route: stackOutputs({ stack: "route", domain: "play.example.com", routing: "route" }),
    flaky: stackOutputs({ stack: "flaky", domain: "flaky.example.com" }),
  });
  [fake, dev] = await Promise.all([
    startFakeCloudflare(
      fakeAccount({
        dnsRecords: [{ zoneId: ZONE_ID, name: "play.example.com", type: "A", content: "192.0.2.10", proxied: true }],
      }),
    ),
    startDevServer({ vars: { BUILD_ID: BUILD, ALLOWED_ORIGINS: ALLOWED_ORIGIN, TURN_SECONDS: "60" } }),
  ]);
});

afterAll(async () => {
  await Promise.all([dev?.stop(), fake?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function deploy(args: string[], options: { env?: Record<string, string>; withoutWranglerEnv?: boolean } = {}) {
  const run = await runDeploy(args, { fake, pulumiState: dir, verifyUrl: dev.url, ...options });
  runs.push(run);
  expectNoLeaks(run);
  expectNoOverride(run);
  return run;
}

/** `node scripts/smoke.ts ...args` (npm run smoke) against the dev server. */
function smoke(args: string[]): Promise<CollectedRun> {
  return runCollected(process.execPath, [...npmScriptNodeArgs("smoke"), ...args], {
    cwd: PROJECT_ROOT,
    env: process.env,
    timeoutMs: 120_000,
  });
}

/** A WRANGLER_BIN that records what environment wrangler got (token as a hash), then runs it. */
async function recordingWrangler(): Promise<{ bin: string; record: () => Promise<Record<string, unknown>[]> }> {
  const bin = path.join(dir, "wrangler-recording");
  const log = path.join(dir, "wrangler-env.ndjson");
  await writeFile(log, "");
  await writeFile(
    bin,
    `#!/usr/bin/env node
const { spawnSync } = require("node:child_process");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const env = process.env;
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({
  cloudflareVariables: Object.keys(env).filter((k) => k.startsWith("CLOUDFLARE_") || k.startsWith("CF_")).sort(),
  accountId: env.CLOUDFLARE_ACCOUNT_ID,
  tokenSha256: createHash("sha256").update(env.CLOUDFLARE_API_TOKEN || "").digest("hex"),
  WRANGLER_SEND_METRICS: env.WRANGLER_SEND_METRICS,
  WRANGLER_SEND_ERROR_REPORTS: env.WRANGLER_SEND_ERROR_REPORTS,
  CLOUDFLARE_CF_FETCH_ENABLED: env.CLOUDFLARE_CF_FETCH_ENABLED,
  argv: process.argv.slice(2),
}) + "\\n");
const result = spawnSync(${JSON.stringify(WRANGLER_BIN)}, process.argv.slice(2), { stdio: "inherit" });
process.exit(result.status === null ? 1 : result.status);
`,
  );
  await chmod(bin, 0o755);
  return {
    bin,
    record: async () =>
      (await readFile(log, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("npm run deploy (success paths)", () => {
  it("first deploy, custom-domain mode: uploads with the stack's token, attaches without override, verifies (--json)", async () => {
    const wrangler = await recordingWrangler();
    const run = await deploy(["--stack", "staging", "--build-id", BUILD, "--json"], {
      env: { WRANGLER_BIN: wrangler.bin },
      withoutWranglerEnv: true,
    });
    expectExit(run, 0);

    // The --json contract.
    const script = fake.state.scripts.get("perudo-vibe-staging")!;
    expect(run.json).toMatchObject({
      ok: true,
      stack: "staging",
      workerName: "perudo-vibe-staging",
      host: "perudo.example.com",
      url: "https://perudo.example.com",
      websocketUrl: "wss://perudo.example.com/parties/main",
      verifiedAt: dev.url,
      buildId: BUILD,
      versionId: script.versions.at(-1)!.id,
      exitCode: 0,
      nextPublicPartykitHost: "perudo.example.com",
    });
    expect(run.json!["error"]).toBeUndefined();
    for (const step of ["outputs", "preflight", "deploy", "verify"]) {
      expect(run.json!["durationsMs"][step], step).toEqual(expect.any(Number));
    }

    // Credentials: the deploy token and account id from the outputs, never the bootstrap token.
    expectOnlyDeployToken(run);
    const [childEnv] = await wrangler.record();
    expect(childEnv).toMatchObject({
      accountId: ACCOUNT_ID,
      tokenSha256: createHash("sha256").update(DEPLOY_TOKEN).digest("hex"),
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      cloudflareVariables: ["CLOUDFLARE_ACCOUNT_ID", "CLOUDFLARE_API_BASE_URL", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_CF_FETCH_ENABLED"],
    });
    expect(childEnv!["argv"]).not.toContain("--domain");

    // The upload: this project's Worker, its Durable Object binding and migration, the vars.
    const uploads = run.requests.filter((request) => request.endpoint === UPLOAD);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.path).toBe(`/accounts/${ACCOUNT_ID}/workers/scripts/perudo-vibe-staging`);
    const metadata = uploadMetadata(uploads[0]!)!;
    expect(metadata["migrations"]).toEqual({ new_tag: "v1", steps: [{ new_sqlite_classes: ["Main"] }] });
    expect(metadata["bindings"]).toEqual(
      expect.arrayContaining([
        { name: "Main", type: "durable_object_namespace", class_name: "Main" },
        { name: "BUILD_ID", type: "plain_text", text: BUILD },
        { name: "ALLOWED_ORIGINS", type: "plain_text", text: ALLOWED_ORIGIN },
        { name: "TURN_SECONDS", type: "plain_text", text: "60" },
      ]),
    );
    expect(metadata["annotations"]).toMatchObject({ "workers/tag": BUILD });
    const main = uploads[0]!.parts!.find((part) => part.name === metadata["main_module"])!;
    expect(main.text).toContain("perudo-vibe");
    expect(main.text).toContain("origin_not_allowed"); // the room server's Worker, not a stub

    // The hostname: attached by our own call, without any override.
    const attaches = run.requests.filter((request) => request.endpoint === ATTACH);
    expect(attaches).toHaveLength(1);
    expect(attaches[0]!.body).toMatchObject({ hostname: "perudo.example.com", service: "perudo-vibe-staging", zone_id: ZONE_ID });
    expectNoOverride(run);
    expect(endpointsOf(run)).not.toContain("PUT /accounts/:account_id/workers/scripts/:script_name/domains/records");
    expect([...fake.state.workerDomains.values()]).toContainEqual(
      expect.objectContaining({ hostname: "perudo.example.com", service: "perudo-vibe-staging" }),
    );
    expect(run.stderr).toContain("welcome and state received");
  });

  it("redeploy: a new version, the same hostname re-attached as a no-op, another custom domain left attached", async () => {
    // A domain rollout left old-perudo.example.com on this Worker.
    const response = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/domains`, {
      method: "PUT",
      headers: { authorization: `Bearer ${DEPLOY_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ hostname: "old-perudo.example.com", service: "perudo-vibe-staging", zone_id: ZONE_ID }),
    });
    expect(response.status).toBe(200);
    const domainIds = [...fake.state.workerDomains.values()].map((domain) => domain.id).sort();

    const run = await deploy(["--stack", "staging", "--build-id", BUILD]);
    expectExit(run, 0);
    expectOnlyDeployToken(run);
    expectNoOverride(run);

    // wrangler's redeploy path: a version plus a deployment, no migration re-sent.
    const versions = run.requests.filter((request) => request.endpoint === VERSION_UPLOAD);
    expect(versions).toHaveLength(1);
    expect(uploadMetadata(versions[0]!)!["bindings"]).toEqual(
      expect.arrayContaining([{ name: "Main", type: "durable_object_namespace", class_name: "Main" }]),
    );
    const script = fake.state.scripts.get("perudo-vibe-staging")!;
    expect(script.versions).toHaveLength(2);
    expect(script.migrationTag).toBe("v1");

    // Same custom domains, same ids: nothing detached, nothing re-created.
    expect([...fake.state.workerDomains.values()].map((domain) => domain.id).sort()).toEqual(domainIds);
    expect([...fake.state.workerDomains.values()].filter((d) => d.service === "perudo-vibe-staging").map((d) => d.hostname).sort()).toEqual([
      "old-perudo.example.com",
      "perudo.example.com",
    ]);
    expect(run.stderr).toMatch(/also serves old-perudo\.example\.com/);

    // The human summary.
    expect(run.stdout).toContain("URL:             https://perudo.example.com");
    expect(run.stdout).toContain("wss://perudo.example.com/parties/main");
    expect(run.stdout).toContain("NEXT_PUBLIC_PARTYKIT_HOST=perudo.example.com");
    expect(run.stdout).toContain(`Version id:      ${script.versions.at(-1)!.id}`);
    expect(run.stdout).toContain("wrangler rollback --name perudo-vibe-staging");
  });

  it("route mode: deploys with --route on the proxied record, attaches no custom domain", async () => {
    const run = await deploy(["--stack", "route", "--build-id", BUILD, "--json"]);
    expectExit(run, 0);
    expectOnlyDeployToken(run);
    expectNoOverride(run);
    expect(run.json).toMatchObject({ ok: true, host: "play.example.com", workerName: "perudo-vibe-route", verifiedAt: dev.url });
    const routePut = run.requests.find((request) => request.endpoint === "PUT /accounts/:account_id/workers/scripts/:script_name/routes");
    expect(routePut?.body).toEqual([{ pattern: "play.example.com/*" }]);
    expect([...fake.state.routes.values()]).toContainEqual(
      expect.objectContaining({ zoneId: ZONE_ID, pattern: "play.example.com/*", script: "perudo-vibe-route" }),
    );
    expect(endpointsOf(run)).not.toContain(ATTACH);
    expect(uploadMetadata(run.requests.find((request) => request.endpoint === UPLOAD)!)!["bindings"]).toEqual(
      expect.arrayContaining([{ name: "BUILD_ID", type: "plain_text", text: BUILD }]),
    );
  });

  it("transient failures (a reset, then 503s) are retried across attempts, then succeed", async () => {
    fake.failNext(SERVICE, 1, "reset");
    fake.failNext(UPLOAD, 3, { status: 503 }); // wrangler itself retries the upload twice
    const run = await deploy(["--stack", "flaky", "--build-id", BUILD, "--retries", "3", "--json"]);
    expectExit(run, 0);
    expect(run.json).toMatchObject({ ok: true, wranglerAttempts: 3, versionId: expect.any(String) });
    expect(run.stderr).toMatch(/attempt 1 of 3[\s\S]*transient failure[\s\S]*attempt 2 of 3[\s\S]*transient failure[\s\S]*attempt 3 of 3/);
    expect(run.requests.filter((request) => request.endpoint === UPLOAD)).toHaveLength(4);
  });

  it("verification times out (exit 6) while /health reports an older build; --prune-domains then removes nothing", async () => {
    const run = await deploy(["--stack", "staging", "--build-id", "e2e-build-2", "--verify-timeout", "3", "--prune-domains", "--json"]);
    expectExit(run, 6);
    expect(run.stderr).toContain("once perudo.example.com verifies, these Custom Domains of perudo-vibe-staging will be removed");
    expect(run.json!["prunedDomains"]).toEqual([]);
    expect(endpointsOf(run)).not.toContain("DELETE /accounts/:account_id/workers/domains/:domain_id");
    expect([...fake.state.workerDomains.values()].map((domain) => domain.hostname)).toContain("old-perudo.example.com");
    expect(run.json).toMatchObject({
      ok: false,
      exitCode: 6,
      buildId: "e2e-build-2",
      verifiedAt: dev.url,
      versionId: expect.any(String),
      error: { name: "VerifyError" },
    });
    expect(run.json!["error"]["message"]).toContain(`build ${BUILD} answering, waiting for e2e-build-2`);
  });

  it("--prune-domains detaches the Worker's other custom domains only after the new host verified", async () => {
    const run = await deploy(["--stack", "staging", "--build-id", BUILD, "--prune-domains", "--json"]);
    expectExit(run, 0);
    expect(run.json).toMatchObject({ ok: true, prunedDomains: ["old-perudo.example.com"], otherCustomDomains: [] });
    const order = endpointsOf(run);
    expect(order.lastIndexOf("DELETE /accounts/:account_id/workers/domains/:domain_id")).toBeGreaterThan(order.lastIndexOf(ATTACH));
    expect([...fake.state.workerDomains.values()].filter((d) => d.service === "perudo-vibe-staging").map((d) => d.hostname)).toEqual([
      "perudo.example.com",
    ]);
    expectOnlyDeployToken(run);
  });

  it("npm run smoke runs the same check alone: ok for the live build, exit 6 for a wrong build or origin", async () => {
    const ok = await smoke(["--url", dev.url, "--build-id", BUILD, "--origin", ALLOWED_ORIGIN, "--json"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, url: dev.url, version: BUILD, exitCode: 0 });
    expect(ok.stderr).toContain("welcome and state received");

    const [oldBuild, badOrigin] = await Promise.all([
      smoke(["--url", dev.url, "--build-id", "not-this-one", "--timeout", "2"]),
      smoke(["--url", dev.url, "--origin", "https://evil.example.net", "--timeout", "2", "--json"]),
    ]);
    expect(oldBuild.code, oldBuild.stderr).toBe(6);
    expect(oldBuild.stderr).toContain(`build ${BUILD} answering, waiting for not-this-one`);
    expect(badOrigin.code, badOrigin.stderr).toBe(6);
    expect(JSON.parse(badOrigin.stdout)).toMatchObject({ ok: false, exitCode: 6, error: { name: "VerifyError" } });
    expect(badOrigin.stderr).toContain("upgrade refused: HTTP 403");
  });

  it("every Cloudflare endpoint these runs used is in docs/permissions.md", async ({ annotate }) => {
    await expectEndpointsDocumented(runs.flatMap(endpointsOf), { name: "deploy-success", annotate });
  });
});
