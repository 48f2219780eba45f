// npm run status end to end: fake pulumi -> our command -> real wrangler (deployments/versions
// --json) and the Cloudflare API against the fake account -> /health of a real local Worker.
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultBuildId } from "../../scripts/lib/build-id.ts";
import { runCommand } from "../../scripts/lib/process.ts";
import { freePort, PROJECT_ROOT, startDevServer, type DevServer } from "../support/dev-server.ts";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import {
  ACCOUNT_ID,
  BOOTSTRAP_TOKEN,
  DEPLOY_TOKEN,
  ZONE,
  ZONE_ID,
  deployBuild,
  leakedSecrets,
  pulumiState,
  runOps,
  stackOutputs,
} from "./support/harness.ts";

const DAY = 86_400_000;
let fake: FakeCloudflare;
let dev: DevServer;
let headBuild: string;
let state: string;
let firstVersion: string;
let secondVersion: string;

beforeAll(async () => {
  headBuild = await defaultBuildId(runCommand, PROJECT_ROOT);
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: {
      [DEPLOY_TOKEN]: { status: "active", kind: "account", expiresOn: new Date(Date.now() + 90 * DAY).toISOString() },
      "expiring-token-0123456789": { status: "active", kind: "account", expiresOn: new Date(Date.now() + 5 * DAY).toISOString() },
      "expired-token-0123456789": { status: "expired", kind: "account", expiresOn: new Date(Date.now() - DAY).toISOString() },
    },
    zones: [{ id: ZONE_ID, name: ZONE, status: "active" }],
    logUnhandled: true,
  });
  firstVersion = await deployBuild(fake, "perudo-vibe-staging", "oldbuild1");
  secondVersion = await deployBuild(fake, "perudo-vibe-staging", headBuild);
  for (const hostname of [`staging.${ZONE}`, `old-staging.${ZONE}`]) {
    const response = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/domains`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${DEPLOY_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ hostname, service: "perudo-vibe-staging", zone_id: ZONE_ID, environment: "production" }),
    });
    expect(response.status).toBe(200);
  }
  state = pulumiState({
    staging: stackOutputs("staging"),
    expiring: stackOutputs("staging", { deployToken: "expiring-token-0123456789" }),
    expired: stackOutputs("staging", { deployToken: "expired-token-0123456789" }),
  });
  dev = await startDevServer({ vars: { BUILD_ID: headBuild } });
}, 180_000);

afterAll(async () => {
  await dev?.stop();
  await fake?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string> = {}) =>
  runOps("status", args, { fake, pulumiState: state, env: { DEPLOY_VERIFY_URL: dev.url, ...env } });

describe("npm run status", { timeout: 120_000 }, () => {
  it("--help explains the command and exits 0", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm run status -- --stack <name>");
  });

  it("shows the live build against HEAD, deployment, versions, token, routing, hosts and domains", async () => {
    const result = await run(["--stack", "staging"]);
    expect(result.stderr).not.toMatch(/UNHANDLED/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Live build      ${headBuild} (healthy, build ${headBuild})`);
    // Other commits may land while the suite runs in a shared tree: only then may HEAD differ.
    if ((await defaultBuildId(runCommand, PROJECT_ROOT)) === headBuild) {
      expect(result.stdout).toMatch(new RegExp(`Local HEAD +${headBuild} \\(live\\)`));
    }
    expect(result.stdout).toContain(`100% ${secondVersion} (build ${headBuild})`);
    expect(result.stdout).toContain(`* ${secondVersion}`);
    expect(result.stdout).toContain(`${firstVersion}`);
    expect(result.stdout).toContain("build oldbuild1");
    expect(result.stdout).toMatch(/Deploy token +active, expires .* \(8\d days\)/);
    expect(result.stdout).toMatch(/Routing +custom-domain/);
    expect(result.stdout).toContain(`Host            staging.${ZONE}`);
    expect(result.stdout).toContain(`Custom Domains  old-staging.${ZONE}, staging.${ZONE}`);
    expect(result.stdout).toMatch(/warning: perudo-vibe-staging also serves old-staging\.perudo-test\.dev.*--prune-domains/);
  });

  it("--json prints one object with the same facts", async () => {
    const result = await run(["--stack", "staging", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      ok: true,
      stack: "staging",
      workerName: "perudo-vibe-staging",
      routing: "custom-domain",
      host: `staging.${ZONE}`,
      live: { ok: true, version: headBuild },
      token: { status: "active" },
      customDomains: [`old-staging.${ZONE}`, `staging.${ZONE}`],
      exitCode: 0,
    });
    expect(report.versions.map((v: { versionId: string }) => v.versionId)).toEqual([secondVersion, firstVersion]);
  });

  it("reads the build ids from the version detail when the version list carries no annotations", async () => {
    fake.state.versionListAnnotations = false;
    try {
      const before = fake.requests.length;
      const result = await run(["--stack", "staging", "--json"]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.versions.map((v: { build: string | null }) => v.build)).toEqual([headBuild, "oldbuild1"]);
      const details = fake.requests.slice(before).filter((r) => r.endpoint === "GET /accounts/:account_id/workers/scripts/:script_name/versions/:version_id");
      expect(details.length).toBeGreaterThanOrEqual(2);
    } finally {
      fake.state.versionListAnnotations = true;
    }
  });

  it("warns when the deploy token expires in under 14 days", async () => {
    const result = await run(["--stack", "expiring"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/warning: The deploy token expires on .* \(in [45] day\(s\)\); rotate it soon/);
  });

  it("exits 3 when the deploy token is expired", async () => {
    const result = await run(["--stack", "expired"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/problem: .*expired/);
  });

  it("exits 6 when /health does not answer", async () => {
    const result = await run(["--stack", "staging", "--json"], { DEPLOY_VERIFY_URL: `http://127.0.0.1:${await freePort()}` });
    expect(result.code).toBe(6);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: false, live: { ok: false }, exitCode: 6 });
  });

  it("exits 2 for an unknown stack, naming it", async () => {
    const result = await run(["--stack", "nope"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Pulumi has no stack named 'nope'");
  });

  it("exits 2 for an unknown flag", async () => {
    const result = await run(["--stack", "staging", "--bogus"]);
    expect(result.code).toBe(2);
  });

  it("uses only the stack's scoped token and never prints a secret", async () => {
    const before = fake.requests.length;
    const result = await run(["--stack", "staging", "--json"]);
    expect(result.code).toBe(0);
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
    const used = new Set(fake.requests.slice(before).map((r) => r.headers["authorization"]));
    expect(used).toEqual(new Set([`Bearer ${DEPLOY_TOKEN}`]));
    expect([...used].join()).not.toContain(BOOTSTRAP_TOKEN);
  });
});
