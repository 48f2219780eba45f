// The fake's own API semantics, over HTTP with fetch (no wrangler): auth and envelopes, token
// verify, zones and DNS, Custom Domains (100116/100117), routes, failNext, unknown endpoints.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  FAKE_API_TOKEN,
  startFakeCloudflare,
  type FakeCloudflare,
  type FakeCloudflareOptions,
} from "../support/fake-cloudflare/index.ts";

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "b".repeat(32);
const PENDING_ZONE_ID = "c".repeat(32);
const DOMAINS = `/accounts/${ACCOUNT_ID}/workers/domains`;

let fake: FakeCloudflare;

async function start(extra: Partial<FakeCloudflareOptions> = {}): Promise<void> {
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: {
      [FAKE_API_TOKEN]: { status: "active" },
      "account-token": { status: "active", kind: "account", id: "acct-token-id" },
      "expired-token": { status: "expired", expiresOn: "2026-01-01T00:00:00Z" },
      "disabled-token": { status: "disabled" },
      "read-zones-only": { status: "active", permissions: ["GET /zones", "GET /zones/:zone_id"] },
    },
    zones: [
      { id: ZONE_ID, name: "example.com", status: "active" },
      { id: PENDING_ZONE_ID, name: "pending.test", status: "pending", nameServers: ["x.ns.cloudflare.com"] },
    ],
    dnsRecords: [
      { zoneId: ZONE_ID, name: "legacy.example.com", type: "CNAME", content: "old.host.test", proxied: true },
      { zoneId: ZONE_ID, name: "example.com", type: "TXT", content: "v=spf1 -all", comment: "mail" },
    ],
    scripts: [
      { name: "perudo-vibe", migrationTag: "v1", durableObjectClasses: ["Main"] },
      { name: "other-worker" },
    ],
    workerDomains: [{ hostname: "taken.example.com", service: "other-worker", zoneId: ZONE_ID }],
    logUnhandled: false,
    ...extra,
  });
}

beforeEach(() => start());
afterEach(() => fake.stop());

async function call(
  method: string,
  path: string,
  body?: unknown,
  token: string | null = FAKE_API_TOKEN,
): Promise<{ status: number; json: any }> {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

const AUTH_ERROR = { success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [], result: null };

describe("authentication", () => {
  it("rejects a missing, unknown, disabled or expired token with Cloudflare's auth envelope", async () => {
    for (const token of [null, "nope", "disabled-token", "expired-token"]) {
      const { status, json } = await call("GET", "/zones", undefined, token);
      expect(status).toBe(401);
      expect(json).toEqual(AUTH_ERROR);
    }
  });

  it("answers 403 for endpoints outside a token's permissions and for another account", async () => {
    expect((await call("GET", `/zones/${ZONE_ID}`, undefined, "read-zones-only")).status).toBe(200);
    const denied = await call("GET", DOMAINS, undefined, "read-zones-only");
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual(AUTH_ERROR);
    const otherAccount = await call("GET", `/accounts/${"f".repeat(32)}/workers/domains`);
    expect(otherAccount).toEqual({ status: 403, json: AUTH_ERROR });
  });

  it("records the Authorization header and the endpoint template", async () => {
    await call("GET", `/zones/${ZONE_ID}/dns_records?name=example.com&type=TXT`);
    expect(fake.requests.at(-1)).toMatchObject({
      method: "GET",
      path: `/zones/${ZONE_ID}/dns_records`,
      query: { name: "example.com", type: "TXT" },
      headers: { authorization: `Bearer ${FAKE_API_TOKEN}` },
      endpoint: "GET /zones/:zone_id/dns_records",
    });
  });
});

describe("token verify", () => {
  it("verifies user tokens at /user/tokens/verify and account tokens at /accounts/:id/tokens/verify", async () => {
    const user = await call("GET", "/user/tokens/verify");
    expect(user.json).toMatchObject({ success: true, result: { status: "active" } });
    const account = await call("GET", `/accounts/${ACCOUNT_ID}/tokens/verify`, undefined, "account-token");
    expect(account.json.result).toEqual({ id: "acct-token-id", status: "active" });
    const wrongPlace = await call("GET", "/user/tokens/verify", undefined, "account-token");
    expect(wrongPlace.status).toBe(401);
    expect(wrongPlace.json.errors).toEqual([{ code: 1000, message: "Invalid API Token" }]);
  });

  it("reports an expired token's status and expiry instead of refusing", async () => {
    const { status, json } = await call("GET", "/user/tokens/verify", undefined, "expired-token");
    expect(status).toBe(200);
    expect(json.result).toMatchObject({ status: "expired", expires_on: "2026-01-01T00:00:00Z" });
  });
});

describe("zones and DNS", () => {
  it("finds zones by name with status and name servers, and 404s unknown zone ids", async () => {
    const list = await call("GET", `/zones?name=pending.test&account.id=${ACCOUNT_ID}`);
    expect(list.json.result).toHaveLength(1);
    expect(list.json.result[0]).toMatchObject({ id: PENDING_ZONE_ID, status: "pending", name_servers: ["x.ns.cloudflare.com"] });
    expect(list.json.result_info).toMatchObject({ page: 1, count: 1, total_count: 1 });
    expect((await call("GET", `/zones?name=nowhere.test`)).json.result).toEqual([]);
    expect((await call("GET", `/zones/${ZONE_ID}`)).json.result).toMatchObject({ name: "example.com", status: "active" });
    const missing = await call("GET", `/zones/${"9".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0].code).toBe(7003);
  });

  it("filters DNS records by name and type, with proxied and comment", async () => {
    const { json } = await call("GET", `/zones/${ZONE_ID}/dns_records?name=legacy.example.com`);
    expect(json.result).toEqual([
      expect.objectContaining({ name: "legacy.example.com", type: "CNAME", proxied: true, comment: null }),
    ]);
    const txt = await call("GET", `/zones/${ZONE_ID}/dns_records?name=example.com&type=TXT`);
    expect(txt.json.result).toEqual([expect.objectContaining({ content: "v=spf1 -all", comment: "mail" })]);
    expect((await call("GET", `/zones/${ZONE_ID}/dns_records?name=example.com&type=A`)).json.result).toEqual([]);
  });
});

describe("Workers Custom Domains (Attach Domain API)", () => {
  const attach = (hostname: string, service = "perudo-vibe") =>
    call("PUT", DOMAINS, { hostname, service, zone_id: ZONE_ID, environment: "production" });

  it("attaches, creates the read-only DNS record it implies, and lists by filters", async () => {
    const { status, json } = await attach("play.example.com");
    expect(status).toBe(200);
    expect(json.result).toMatchObject({
      hostname: "play.example.com",
      service: "perudo-vibe",
      environment: "production",
      zone_id: ZONE_ID,
      zone_name: "example.com",
    });
    const records = await call("GET", `/zones/${ZONE_ID}/dns_records?name=play.example.com`);
    expect(records.json.result).toEqual([
      expect.objectContaining({
        type: "AAAA",
        content: "100::",
        proxied: true,
        meta: expect.objectContaining({ read_only: true, workers_custom_domain_id: json.result.id }),
      }),
    ]);
    const mine = await call("GET", `${DOMAINS}?service=perudo-vibe&zone_id=${ZONE_ID}`);
    expect(mine.json.result.map((domain: any) => domain.hostname)).toEqual(["play.example.com"]);
    const byHost = await call("GET", `${DOMAINS}?hostname=taken.example.com`);
    expect(byHost.json.result).toEqual([expect.objectContaining({ service: "other-worker" })]);
  });

  it("is idempotent for the same service and leaves other domains attached", async () => {
    const first = await attach("play.example.com");
    await attach("api.example.com");
    const again = await attach("play.example.com");
    expect(again.status).toBe(200);
    expect(again.json.result.id).toBe(first.json.result.id);
    const all = await call("GET", DOMAINS);
    expect(all.json.result.map((domain: any) => domain.hostname).sort()).toEqual([
      "api.example.com",
      "play.example.com",
      "taken.example.com",
    ]);
    const records = [...fake.state.dnsRecords.values()].filter((record) => record.name === "play.example.com");
    expect(records).toHaveLength(1);
  });

  it("refuses a hostname with an externally managed DNS record: 409, code 100117", async () => {
    const { status, json } = await attach("legacy.example.com");
    expect(status).toBe(409);
    expect(json).toEqual({
      success: false,
      errors: [
        {
          code: 100117,
          message:
            "Hostname 'legacy.example.com' already has externally managed DNS records (A, CNAME, etc). Delete them first or try a different hostname.",
        },
      ],
      messages: [],
      result: null,
    });
    expect([...fake.state.workerDomains.values()].some((domain) => domain.hostname === "legacy.example.com")).toBe(false);
  });

  it("refuses a hostname attached to another Worker: 409, code 100116", async () => {
    const { status, json } = await attach("taken.example.com");
    expect(status).toBe(409);
    expect(json.errors[0].code).toBe(100116);
    expect(json.errors[0].message).toContain("override_existing_origin");
    const still = await call("GET", `${DOMAINS}?hostname=taken.example.com`);
    expect(still.json.result[0].service).toBe("other-worker");
  });

  it("detaches by id and removes the DNS record; unknown Workers can't be attached", async () => {
    const { json } = await attach("play.example.com");
    const detached = await call("DELETE", `${DOMAINS}/${json.result.id}`);
    expect(detached.json).toEqual({ success: true, errors: [], messages: [], result: null });
    expect((await call("GET", `/zones/${ZONE_ID}/dns_records?name=play.example.com`)).json.result).toEqual([]);
    expect((await attach("x.example.com", "no-such-worker")).json.errors[0].code).toBe(10007);
  });

  it("wrangler's domains/records PUT replaces the script's set and honours the override flags", async () => {
    await attach("old.example.com");
    const path = `/accounts/${ACCOUNT_ID}/workers/scripts/perudo-vibe/domains/records`;
    const refused = await call("PUT", path, {
      override_scope: true,
      override_existing_origin: false,
      override_existing_dns_record: false,
      origins: [{ hostname: "legacy.example.com" }],
    });
    expect(refused.status).toBe(409);
    expect(refused.json.errors[0].code).toBe(100117);
    const forced = await call("PUT", path, {
      override_scope: true,
      override_existing_origin: true,
      override_existing_dns_record: true,
      origins: [{ hostname: "legacy.example.com" }, { hostname: "taken.example.com" }],
    });
    expect(forced.status).toBe(200);
    const domains = [...fake.state.workerDomains.values()].map((domain) => `${domain.hostname}->${domain.service}`);
    expect(domains.sort()).toEqual(["legacy.example.com->perudo-vibe", "taken.example.com->perudo-vibe"]);
    expect([...fake.state.dnsRecords.values()].filter((record) => record.name === "legacy.example.com")).toEqual([
      expect.objectContaining({ type: "AAAA", workerDomainId: expect.any(String) }),
    ]);
  });
});

describe("pre-existing scripts", () => {
  it("lists scripts with their migration tag, as wrangler reads it", async () => {
    const { json } = await call("GET", `/accounts/${ACCOUNT_ID}/workers/scripts`);
    expect(json.result.find((script: any) => script.id === "perudo-vibe")).toMatchObject({ migration_tag: "v1" });
    const service = await call("GET", `/accounts/${ACCOUNT_ID}/workers/services/nope`);
    expect(service.status).toBe(404);
    expect(service.json.errors[0].code).toBe(10090);
  });
});

describe("failNext", () => {
  it("fails the next n matching requests, then succeeds", async () => {
    fake.failNext("GET /zones/:zone_id", 1, { status: 500 });
    const failed = await call("GET", `/zones/${ZONE_ID}`);
    expect(failed.status).toBe(500);
    expect(failed.json).toEqual({
      success: false,
      errors: [{ code: 10013, message: "An unknown error has occurred" }],
      messages: [],
      result: null,
    });
    expect((await call("GET", `/zones/${ZONE_ID}`)).status).toBe(200);
  });

  it("injects 429s, chosen Cloudflare codes and connection resets", async () => {
    fake.failNext("PUT /accounts/:account_id/workers/domains", 1, { status: 429 });
    fake.failNext("PUT /accounts/:account_id/workers/domains", 1, { status: 403, code: 10000, message: "Authentication error" });
    fake.failNext("PUT /accounts/:account_id/workers/domains", 1, "reset");
    const body = { hostname: "play.example.com", service: "perudo-vibe", zone_id: ZONE_ID };
    expect(await call("PUT", DOMAINS, body)).toMatchObject({ status: 429, json: { errors: [{ code: 971 }] } });
    expect(await call("PUT", DOMAINS, body)).toEqual({ status: 403, json: AUTH_ERROR });
    await expect(call("PUT", DOMAINS, body)).rejects.toThrow();
    expect((await call("PUT", DOMAINS, body)).status).toBe(200);
    expect(() => fake.failNext("GET /no/such/endpoint", 1, "reset")).toThrow(/unknown endpoint/);
  });
});

describe("unknown endpoints", () => {
  it("answer 404 code 7003 and are collected in unhandled", async () => {
    const { status, json } = await call("GET", `/accounts/${ACCOUNT_ID}/d1/database`);
    expect(status).toBe(404);
    expect(json.errors[0].code).toBe(7003);
    expect(fake.unhandled.map((request) => request.endpoint)).toEqual([`GET /accounts/${ACCOUNT_ID}/d1/database`]);
  });
});

describe("Worker uploads with rate limiting bindings", () => {
  async function upload(bindings: unknown[]): Promise<{ status: number; json: any }> {
    const form = new FormData();
    form.set("metadata", JSON.stringify({ main_module: "index.js", bindings, compatibility_date: "2026-04-20" }));
    form.set("index.js", new Blob(["export default { fetch() { return new Response('ok'); } };"], { type: "application/javascript+module" }), "index.js");
    const response = await fetch(`${fake.url}/accounts/${ACCOUNT_ID}/workers/scripts/limited`, {
      method: "PUT",
      headers: { authorization: `Bearer ${FAKE_API_TOKEN}` },
      body: form,
    });
    return { status: response.status, json: await response.json() };
  }

  it("accepts the documented shape and keeps it on the version", async () => {
    const binding = { name: "UPGRADES_PER_IP", type: "ratelimit", namespace_id: "1301", simple: { limit: 60, period: 60 } };
    expect((await upload([binding])).status).toBe(200);
    expect(fake.state.scripts.get("limited")!.versions.at(-1)!.bindings).toContainEqual(binding);
  });

  it("refuses a period other than 10 or 60, a missing limit or a non-numeric namespace", async () => {
    for (const binding of [
      { name: "A", type: "ratelimit", namespace_id: "1301", simple: { limit: 60, period: 30 } },
      { name: "B", type: "ratelimit", namespace_id: "1301", simple: { period: 60 } },
      { name: "C", type: "ratelimit", namespace_id: "my-limiter", simple: { limit: 60, period: 60 } },
    ]) {
      const { status, json } = await upload([binding]);
      expect(status, binding.name).toBe(400);
      expect(json.errors[0].message).toContain(`ratelimit binding ${binding.name}`);
    }
  });
});
