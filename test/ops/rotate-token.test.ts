// npm run rotate-token end to end: fake pulumi (config set, up swaps in the new outputs) -> the
// deploy command with real wrangler against the fake Cloudflare API -> a real local Worker
// for verification -> the old token must be rejected.
import { writeFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { pulumiCalls } from "../support/fake-pulumi.ts";
import { ACCOUNT_ID, BOOTSTRAP_TOKEN, DEPLOY_TOKEN, ZONE, ZONE_ID, deployBuild, leakedSecrets, pulumiState, runOps, stackOutputs } from "./support/harness.ts";

const NEW_TOKEN = "rotated-deploy-token-FOR-TESTS-fedcba9876543210";
const BUILD = "rotated1";
let fake: FakeCloudflare;
let dev: DevServer;
let state: string;

const calls = () => pulumiCalls(state);

beforeAll(async () => {
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: {
      [DEPLOY_TOKEN]: { status: "active", kind: "account", id: "old-token-id" },
      [NEW_TOKEN]: { status: "active", kind: "account", id: "new-token-id", expiresOn: "2027-03-01T00:00:00Z" },
    },
    zones: [{ id: ZONE_ID, name: ZONE, status: "active" }],
  });
  await deployBuild(fake, "perudo-vibe-staging", "before");
  state = pulumiState({ staging: stackOutputs("staging") });
  // What `pulumi up` publishes after the rotation: the same stack with a new token.
  writeFileSync(`${state}/staging.next.json`, JSON.stringify(stackOutputs("staging", { deployToken: NEW_TOKEN, deployTokenExpiresOn: "2027-03-01T00:00:00Z" })));
  dev = await startDevServer({ vars: { BUILD_ID: BUILD } });
}, 180_000);

afterAll(async () => {
  await dev?.stop();
  await fake?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

describe("npm run rotate-token", { timeout: 240_000 }, () => {
  it("--help explains the operation", async () => {
    const result = await runOps("rotate-token", ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("perudo-vibe:tokenRotation");
  });

  it("bumps the rotation, runs pulumi up, deploys and verifies with the new token, and sees the old one rejected", async () => {
    // Pulumi deletes the old token during `up`; the fake account learns it when up has run.
    const watcher = setInterval(() => {
      if (calls().some((args) => args[0] === "up")) fake.state.tokens.delete(DEPLOY_TOKEN);
    }, 50);
    let result;
    try {
      result = await runOps("rotate-token", ["--stack", "staging", "--json", "--old-token-timeout", "20", "--build-id", BUILD, "--verify-timeout", "60"], {
        fake,
        pulumiState: state,
        env: { DEPLOY_VERIFY_URL: dev.url },
        timeoutMs: 240_000,
      });
    } finally {
      clearInterval(watcher);
    }
    expect(result.stderr).not.toMatch(/UNHANDLED/);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({
      ok: true,
      stack: "staging",
      oldTokenId: "old-token-id",
      newTokenId: "new-token-id",
      newTokenExpiresOn: "2027-03-01T00:00:00Z",
      oldTokenRejected: true,
      deploy: { ok: true, verifiedAt: dev.url },
    });
    expect(report.rotation).toMatch(/^\d{4}-\d{2}-\d{2}-\d{6}$/);
    const pulumiCalls = calls();
    const configSet = pulumiCalls.findIndex((args) => args[0] === "config" && args[2] === "perudo-vibe:tokenRotation" && args[3] === report.rotation);
    const up = pulumiCalls.findIndex((args) => args[0] === "up" && args.includes("staging"));
    expect(configSet).toBeGreaterThanOrEqual(0);
    expect(up).toBeGreaterThan(configSet);
    // The upload after the rotation used the new token, and nothing ever used the bootstrap one.
    const uploads = fake.requests.filter((r) => r.method !== "GET" && r.path.includes("/workers/scripts/perudo-vibe-staging"));
    expect(uploads.at(-1)!.headers["authorization"]).toBe(`Bearer ${NEW_TOKEN}`);
    expect(fake.requests.some((r) => r.headers["authorization"]?.includes(BOOTSTRAP_TOKEN))).toBe(false);
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
    expect(`${result.stdout}${result.stderr}`).not.toContain(NEW_TOKEN);
  });

  it("exits 3 when the old token still works after the rotation", async () => {
    // A second rotation where pulumi "forgets" to delete the token it replaces.
    writeFileSync(`${state}/staging.next.json`, JSON.stringify(stackOutputs("staging", { deployToken: DEPLOY_TOKEN })));
    fake.state.tokens.set(DEPLOY_TOKEN, { status: "active", kind: "account", id: "old-token-id" });
    const result = await runOps("rotate-token", ["--stack", "staging", "--old-token-timeout", "0", "--build-id", BUILD, "--verify-timeout", "60"], {
      fake,
      pulumiState: state,
      env: { DEPLOY_VERIFY_URL: dev.url },
      timeoutMs: 240_000,
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/still works|did not change/);
  });
});
