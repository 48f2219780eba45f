// npm run teardown end to end: fake pulumi -> our command -> real `wrangler delete` against the
// fake Cloudflare API, with no terminal (as in CI).
import { rmSync } from "node:fs";
import { beforeAll, afterAll, describe, expect, it } from "vitest";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { pulumiCalls } from "../support/fake-pulumi.ts";
import { ACCOUNT_ID, DEPLOY_TOKEN, ZONE, ZONE_ID, deployBuild, leakedSecrets, pulumiState, runOps, stackOutputs } from "./support/harness.ts";

let fake: FakeCloudflare;
let state: string;

async function attach(hostname: string, service: string) {
  const response = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/domains`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${DEPLOY_TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ hostname, service, zone_id: ZONE_ID }),
  });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: { [DEPLOY_TOKEN]: { status: "active", kind: "account" } },
    zones: [{ id: ZONE_ID, name: ZONE, status: "active" }],
  });
  await deployBuild(fake, "perudo-vibe-staging", "build1");
  await deployBuild(fake, "perudo-vibe-prod", "build1");
  await attach(`staging.${ZONE}`, "perudo-vibe-staging");
  await attach(`prod.${ZONE}`, "perudo-vibe-prod");
  state = pulumiState({ staging: stackOutputs("staging"), prod: stackOutputs("prod") });
}, 180_000);

afterAll(async () => {
  await fake?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

const run = (args: string[]) => runOps("teardown", args, { fake, pulumiState: state });
const workerExists = (name: string) => fake.state.scripts.has(name);
const domains = () => [...fake.state.workerDomains.values()].map((d) => `${d.hostname}->${d.service}`).sort();

describe("npm run teardown", { timeout: 120_000 }, () => {
  it("--help explains what goes and the flags", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("--i-mean-prod");
    expect(result.stdout).toContain("Durable Object");
  });

  it("without a terminal and without --yes it refuses, and deletes nothing", async () => {
    const result = await run(["--stack", "staging"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Refusing to delete without a confirmation: there is no terminal to ask on, and --yes was not given.");
    expect(workerExists("perudo-vibe-staging")).toBe(true);
  });

  it("refuses prod without --i-mean-prod, even with --yes", async () => {
    const result = await run(["--stack", "prod", "--yes"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Refusing to tear down production (stack prod)");
    expect(result.stderr).toContain("--i-mean-prod");
    expect(workerExists("perudo-vibe-prod")).toBe(true);
  });

  it("with --yes: states what goes, deletes the Worker with its domains, and points at pulumi destroy", async () => {
    const result = await run(["--stack", "staging", "--yes"]);
    expect(result.stderr).not.toMatch(/UNHANDLED/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("This deletes the Worker perudo-vibe-staging from Cloudflare account");
    expect(result.stderr).toContain(`its Custom Domains: staging.${ZONE}`);
    expect(result.stderr).toContain("every Durable Object of the Worker, with all stored rooms and games");
    expect(result.stdout).toContain(`Deleted Worker perudo-vibe-staging and its Custom Domains (staging.${ZONE})`);
    expect(result.stdout).toContain("Next: run `pulumi destroy --stack staging`");
    expect(workerExists("perudo-vibe-staging")).toBe(false);
    expect(domains()).toEqual([`prod.${ZONE}->perudo-vibe-prod`]);
    const deletes = fake.requests.filter((r) => r.method === "DELETE").map((r) => r.path);
    expect(deletes).toContain(`/accounts/${ACCOUNT_ID}/workers/services/perudo-vibe-staging`);
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it("is safe to repeat: a Worker already gone is reported, not an error", async () => {
    const result = await run(["--stack", "staging", "--yes", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, deleted: false, alreadyGone: true });
  });

  it("prod with --i-mean-prod --yes --destroy-stack: deletes, then runs pulumi destroy", async () => {
    const result = await run(["--stack", "prod", "--yes", "--i-mean-prod", "--destroy-stack", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, deleted: true, stackDestroyed: true, workerName: "perudo-vibe-prod" });
    expect(workerExists("perudo-vibe-prod")).toBe(false);
    const calls = pulumiCalls(state);
    expect(calls).toContainEqual(["destroy", "--stack", "prod", "--yes", "--non-interactive"]);
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it("used only the stack's scoped token", () => {
    expect(new Set(fake.requests.map((r) => r.headers["authorization"]))).toEqual(new Set([`Bearer ${DEPLOY_TOKEN}`]));
  });
});
