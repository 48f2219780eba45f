// What the first real account would have shown (issue #10, items 4-6), replayed against the fake
// Cloudflare API through the SDK-based client: an empty 200 on detach, the rollback refusal code,
// the attach body, an optional zone status, a null DNS list, an IP-restricted token, and the real
// page sizes of the lists.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CloudflareApiError, CloudflareClient } from "../../scripts/lib/cloudflare-api.ts";
import { attachCustomDomain } from "../../scripts/lib/custom-domain.ts";
import { CredentialsError, PreflightError } from "../../scripts/lib/errors.ts";
import { createMemoryLogger } from "../../scripts/lib/logger.ts";
import { assessPreflight, gatherPreflightFacts, verifyToken } from "../../scripts/lib/preflight.ts";
import { prepareDomainPrune } from "../../scripts/ops/prune-domains.ts";
import { isMigrationRefusal } from "../../scripts/ops/rollback.ts";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { ACCOUNT_ID, DEPLOY_TOKEN, ZONE, ZONE_ID } from "./support/harness.ts";

const WORKER = "perudo-vibe-staging";
const IP_RESTRICTED = "ip-restricted-token-0123456789";
let fake: FakeCloudflare;

beforeAll(async () => {
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: {
      [DEPLOY_TOKEN]: { status: "active", kind: "account" },
      [IP_RESTRICTED]: { status: "active", kind: "account", ipRestricted: true },
    },
    zones: [{ id: ZONE_ID, name: ZONE, status: "active" }],
    scripts: [{ name: WORKER }],
    logUnhandled: true,
  });
});

afterAll(async () => {
  await fake?.stop();
});

beforeEach(() => {
  fake.state.detachAnswer = "envelope";
  fake.state.omitZoneStatus = false;
  fake.state.nullEmptyDnsList = false;
});

const client = (token = DEPLOY_TOKEN) => new CloudflareClient({ token, baseUrl: fake.url, backoffBaseMs: 1, sleep: async () => {} });
const outputs = {
  accountId: ACCOUNT_ID,
  zoneId: ZONE_ID,
  zoneName: ZONE,
  domain: `staging.${ZONE}`,
  routing: "custom-domain" as const,
  workerName: WORKER,
  deployTokenExpiresOn: undefined,
  nameservers: undefined,
};

describe("item 4: Detach Domain answering 200 with an empty body", () => {
  it("counts as detached, so --prune-domains finishes", async () => {
    fake.state.detachAnswer = "empty";
    const api = client();
    await attachCustomDomain(api, { accountId: ACCOUNT_ID, zoneId: ZONE_ID, zoneName: ZONE, domain: `old.${ZONE}`, workerName: WORKER });
    const prune = await prepareDomainPrune({
      client: api,
      target: { accountId: ACCOUNT_ID, workerName: WORKER, domain: `new.${ZONE}` },
      logger: createMemoryLogger(),
    });
    const before = fake.requests.length;
    expect(await prune.apply()).toEqual([`old.${ZONE}`]);
    const detach = fake.requests.slice(before).find((request) => request.method === "DELETE");
    expect(detach?.endpoint).toBe("DELETE /accounts/:account_id/workers/domains/:domain_id");
    expect([...fake.state.workerDomains.values()].map((domain) => domain.hostname)).not.toContain(`old.${ZONE}`);
  });

  it("the fake really answers with no body (and no Content-Type)", async () => {
    fake.state.detachAnswer = "empty";
    const attached = await client().attachWorkerDomain(ACCOUNT_ID, { hostname: `gone.${ZONE}`, service: WORKER, zone_id: ZONE_ID });
    const response = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/domains/${attached.id}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${DEPLOY_TOKEN}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBeNull();
    expect(await response.text()).toBe("");
  });
});

describe("item 5: a rollback refused across a Durable Object migration", () => {
  it("the fake refuses with 100140 when the target version predates the current migration tag", async () => {
    const script = fake.state.scripts.get(WORKER)!;
    const old = script.versions[0]!; // uploaded before any Durable Object migration
    const newerId = "11111111-2222-4333-8444-555555555555";
    script.versions.push({ ...old, id: newerId, number: old.number + 1, migrationTag: "v1" });
    script.deployments.push({ ...script.deployments[0]!, id: "22222222-2222-4333-8444-555555555555", versions: [{ version_id: newerId, percentage: 100 }] });
    const rollback = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/scripts/${WORKER}/deployments`, {
      method: "POST",
      headers: { Authorization: `Bearer ${DEPLOY_TOKEN}`, "Content-Type": "application/json" },
      body: JSON.stringify({ strategy: "percentage", versions: [{ version_id: old.id, percentage: 100 }] }),
    });
    const body = (await rollback.json()) as { success: boolean; errors: { code: number; message: string }[] };
    expect(rollback.status).toBe(400);
    expect(body.success).toBe(false);
    expect(body.errors[0]!.code).toBe(100140);
    expect(body.errors[0]!.message).toMatch(/^Failed to rollback due to external resources being modified \(durable-object:/);
    expect(script.deployments.at(-1)!.versions[0]!.version_id).toBe(newerId);
  });

  it("the rollback command recognises 100140 as wrangler prints it (and still 10211)", () => {
    expect(
      isMigrationRefusal(
        "✘ [ERROR] A request to the Cloudflare API (/accounts/x/workers/scripts/w/deployments) failed.\n  Failed to rollback due to external resources being modified (durable-object:abc) [code: 100140]",
      ),
    ).toBe(true);
    expect(isMigrationRefusal("something [code: 10211]")).toBe(true);
    expect(isMigrationRefusal("Authentication error [code: 10000]")).toBe(false);
  });
});

describe("item 6: what the current schema allows", () => {
  it("attaches without the deprecated environment field", async () => {
    const before = fake.requests.length;
    await client().attachWorkerDomain(ACCOUNT_ID, { hostname: `attach.${ZONE}`, service: WORKER, zone_id: ZONE_ID });
    const put = fake.requests.slice(before).find((request) => request.method === "PUT")!;
    expect(put.body).toEqual({ hostname: `attach.${ZONE}`, service: WORKER, zone_id: ZONE_ID });
  });

  it("a zone without status is a warning to check, not a crash or a made-up state", async () => {
    fake.state.omitZoneStatus = true;
    const facts = await gatherPreflightFacts(client(), outputs);
    expect(facts.zone.status).toBeUndefined();
    const report = assessPreflight(outputs, facts, new Date());
    expect(report.problems).toEqual([]);
    expect(report.warnings.join("\n")).toContain(`Cloudflare did not report a status for zone ${ZONE}`);
  });

  it("a DNS list whose result is null reads as no records", async () => {
    fake.state.nullEmptyDnsList = true;
    expect(await client().listDnsRecords(ZONE_ID, `nothing-here.${ZONE}`)).toEqual([]);
  });

  it("an IP-restricted token is reported with the account endpoint's 9109, not the user endpoint's 1000", async () => {
    const error = await verifyToken(client(IP_RESTRICTED), ACCOUNT_ID).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CredentialsError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Cloudflare rejected the deploy token \(output deployToken\): Cannot use the access token from location: [^ ]+ \[code: 9109\] \(account endpoint/);
    expect(message).toContain("Invalid API Token [code: 1000]");
    expect(message).toContain("deployIps");
  });

  it("a network failure is exit 4 and names the network and CLOUDFLARE_API_BASE_URL, not the token", async () => {
    const unreachable = new CloudflareClient({ token: DEPLOY_TOKEN, baseUrl: "http://127.0.0.1:9/client/v4", attempts: 1 });
    const error = await gatherPreflightFacts(unreachable, outputs).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as PreflightError).exitCode).toBe(4);
    expect((error as Error).message).toContain("This is the network, not the token");
    expect((error as Error).message).toContain("CLOUDFLARE_API_BASE_URL");
    expect((error as Error).message).toContain("http://127.0.0.1:9/client/v4");
  });
});

describe("lists page like Cloudflare's", () => {
  it("DNS records: 100 per page by default; the client reads every page", async () => {
    for (let index = 0; index < 130; index += 1) {
      fake.state.dnsRecords.set(`txt-${index}`, {
        id: `txt-${index}`,
        zoneId: ZONE_ID,
        name: `many.${ZONE}`,
        type: "TXT",
        content: `"record ${index}"`,
        proxied: false,
        comment: null,
        createdOn: new Date().toISOString(),
        modifiedOn: new Date().toISOString(),
      });
    }
    const firstPage = await fetch(`${fake.url}/zones/${ZONE_ID}/dns_records?name=many.${ZONE}`, { headers: { Authorization: `Bearer ${DEPLOY_TOKEN}` } });
    const page = (await firstPage.json()) as { result: unknown[]; result_info: { per_page: number; total_pages: number } };
    expect(page.result).toHaveLength(100);
    expect(page.result_info).toMatchObject({ per_page: 100, total_pages: 2 });

    const before = fake.requests.length;
    expect(await client().listDnsRecords(ZONE_ID, `many.${ZONE}`)).toHaveLength(130);
    expect(fake.requests.slice(before).map((request) => request.query["page"] ?? "1")).toEqual(["1", "2"]);
  });

  it("zones: 20 per page by default, at most 50", async () => {
    const ask = async (query: string) =>
      ((await (await fetch(`${fake.url}/zones${query}`, { headers: { Authorization: `Bearer ${DEPLOY_TOKEN}` } })).json()) as {
        result_info: { per_page: number };
      }).result_info.per_page;
    expect(await ask("")).toBe(20);
    expect(await ask("?per_page=500")).toBe(50);
  });

  it("a failure still carries Cloudflare's codes through the SDK's typed errors", async () => {
    const error = await client("not-a-known-token-000000").getZone(ZONE_ID).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error).toMatchObject({ kind: "auth", status: 401, endpoint: "GET /zones/:zone_id" });
    expect((error as CloudflareApiError).hasCode(10000)).toBe(true);
  });
});
