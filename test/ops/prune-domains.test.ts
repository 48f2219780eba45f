// --prune-domains: the planner (pure) and prepare/apply against the fake Cloudflare API.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { CloudflareClient, type WorkerDomain } from "../../scripts/lib/cloudflare-api.ts";
import { createMemoryLogger } from "../../scripts/lib/logger.ts";
import { planDomainPrune, prepareDomainPrune } from "../../scripts/ops/prune-domains.ts";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { ACCOUNT_ID, DEPLOY_TOKEN, ZONE, ZONE_ID } from "./support/harness.ts";

const target = { accountId: ACCOUNT_ID, workerName: "perudo-vibe-staging", domain: `new.${ZONE}` };
const domain = (hostname: string, service: string, id = hostname): WorkerDomain => ({ id, hostname, service });

describe("planDomainPrune", () => {
  it("removes this Worker's other hostnames, keeps the configured one, ignores other Workers", () => {
    const plan = planDomainPrune(
      [
        domain(`old.${ZONE}`, "perudo-vibe-staging"),
        domain(`NEW.${ZONE}`, "perudo-vibe-staging"),
        domain(`older.${ZONE}`, "perudo-vibe-staging"),
        domain(`prod.${ZONE}`, "perudo-vibe-prod"),
      ],
      target,
    );
    expect(plan.keep.map((d) => d.hostname)).toEqual([`NEW.${ZONE}`]);
    expect(plan.remove.map((d) => d.hostname)).toEqual([`old.${ZONE}`, `older.${ZONE}`]);
  });

  it("has nothing to remove when only the configured host is attached", () => {
    expect(planDomainPrune([domain(`new.${ZONE}`, "perudo-vibe-staging")], target).remove).toEqual([]);
  });
});

describe("prepareDomainPrune against the fake Cloudflare API", () => {
  let fake: FakeCloudflare;
  let client: CloudflareClient;

  beforeEach(async () => {
    await fake?.stop();
    fake = await startFakeCloudflare({
      accountId: ACCOUNT_ID,
      tokens: { [DEPLOY_TOKEN]: { status: "active", kind: "account" } },
      zones: [{ id: ZONE_ID, name: ZONE, status: "active" }],
      scripts: [{ name: "perudo-vibe-staging" }, { name: "perudo-vibe-prod" }],
      workerDomains: [
        { hostname: `old.${ZONE}`, service: "perudo-vibe-staging", zoneId: ZONE_ID },
        { hostname: `new.${ZONE}`, service: "perudo-vibe-staging", zoneId: ZONE_ID },
        { hostname: `prod.${ZONE}`, service: "perudo-vibe-prod", zoneId: ZONE_ID },
      ],
    });
    client = new CloudflareClient({ token: DEPLOY_TOKEN, baseUrl: fake.url, backoffBaseMs: 1, sleep: async () => {} });
  });

  afterAll(async () => {
    await fake?.stop();
  });

  const hostnames = () => [...fake.state.workerDomains.values()].map((d) => d.hostname).sort();

  it("lists first, removes nothing until apply(), then removes only the planned domains", async () => {
    const logger = createMemoryLogger();
    const prune = await prepareDomainPrune({ client, target, logger });
    expect(prune.planned.map((d) => d.hostname)).toEqual([`old.${ZONE}`]);
    expect(logger.lines.join("\n")).toContain(`once new.${ZONE} verifies, these Custom Domains of perudo-vibe-staging will be removed:`);
    expect(hostnames()).toEqual([`new.${ZONE}`, `old.${ZONE}`, `prod.${ZONE}`]);
    expect(fake.requests.some((r) => r.method === "DELETE")).toBe(false);

    expect(await prune.apply()).toEqual([`old.${ZONE}`]);
    expect(hostnames()).toEqual([`new.${ZONE}`, `prod.${ZONE}`]);
  });

  it("never removes a domain attached after the listing (only what was listed)", async () => {
    const prune = await prepareDomainPrune({ client, target, logger: createMemoryLogger() });
    const response = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/domains`, {
      method: "PUT",
      headers: { Authorization: `Bearer ${DEPLOY_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ hostname: `late.${ZONE}`, service: "perudo-vibe-staging", zone_id: ZONE_ID }),
    });
    expect(response.status).toBe(200);
    await prune.apply();
    expect(hostnames()).toEqual([`late.${ZONE}`, `new.${ZONE}`, `prod.${ZONE}`]);
  });

  it("a domain already gone is fine; a failed removal is a DeployError (exit 5) naming it", async () => {
    const prune = await prepareDomainPrune({ client, target, logger: createMemoryLogger() });
    fake.failNext("DELETE /accounts/:account_id/workers/domains/:domain_id", 3, { status: 500 });
    await expect(prune.apply()).rejects.toMatchObject({
      exitCode: 5,
      message: expect.stringContaining(`removing old Custom Domains failed:\n  - old.${ZONE}`),
    });
    expect(hostnames()).toContain(`old.${ZONE}`);
  });

  it("a token without the permission is a CredentialsError (exit 3)", async () => {
    const prune = await prepareDomainPrune({ client, target, logger: createMemoryLogger() });
    fake.failNext("DELETE /accounts/:account_id/workers/domains/:domain_id", 1, { status: 403 });
    await expect(prune.apply()).rejects.toMatchObject({ exitCode: 3 });
  });
});
