// The Pulumi program under pulumi.runtime.setMocks: what it declares for each configuration.
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { planExpiry, toRfc3339Seconds } from "../../infra/components/deploy-token.ts";
import { parseStackConfig, type StackConfig } from "../../infra/config.ts";
import { definePerudoStack, readStackConfig } from "../../infra/program.ts";
import type { PerudoStackOutputs } from "../../infra/components/perudo-stack.ts";
import {
  ACCOUNT_ID,
  CREATED_ZONE_ID,
  MockCloudflare,
  NAMESERVERS,
  PERMISSION_GROUPS,
  settle,
  valueOf,
  ZONE_ID,
} from "./support/cloudflare-mocks.ts";

const DNS = "cloudflare:index/dnsRecord:DnsRecord";
const ZONE = "cloudflare:index/zone:Zone";
const ACCOUNT_TOKEN = "cloudflare:index/accountToken:AccountToken";
const API_TOKEN = "cloudflare:index/apiToken:ApiToken";
const STASH = "pulumi:index:Stash";
const T0 = new Date("2026-03-01T10:20:30.456Z");

function config(stack: string, extra: Record<string, string> = {}): StackConfig {
  return parseStackConfig(
    {
      "perudo-vibe:accountId": ACCOUNT_ID,
      "perudo-vibe:zone": "example.com",
      "perudo-vibe:domain": "party.example.com",
      ...extra,
    },
    stack,
  );
}

interface Run {
  cloudflare: MockCloudflare;
  outputs: PerudoStackOutputs;
}

async function run(
  stack: string,
  extra: Record<string, string> = {},
  options: { now?: Date; cloudflare?: MockCloudflare } = {},
): Promise<Run> {
  const cloudflare = options.cloudflare ?? new MockCloudflare();
  await cloudflare.install(stack);
  const outputs = definePerudoStack(config(stack, extra), {
    now: () => options.now ?? T0,
    opts: { transformations: [cloudflare.recordOptions] },
  });
  await valueOf(outputs.deployToken);
  await settle();
  return { cloudflare, outputs };
}

function groupIdsByName(names: string[]): string[] {
  return names.map((name) => {
    const group = PERMISSION_GROUPS.find((candidate) => candidate.name === name);
    if (!group) throw new Error(`no fixture group ${name}`);
    return group.id;
  });
}

function recordsAt(cloudflare: MockCloudflare, hostname: string) {
  return cloudflare.ofType(DNS).filter((record) => record.inputs.name === hostname);
}

describe("routing modes", () => {
  it("custom-domain creates no A/AAAA/CNAME at the domain (the Custom Domain makes its own)", async () => {
    const { cloudflare } = await run("staging", { "perudo-vibe:routing": "custom-domain" });
    expect(recordsAt(cloudflare, "party.example.com")).toEqual([]);
    expect(cloudflare.ofType(DNS)).toEqual([]);
  });

  it("route owns a proxied AAAA 100:: at the domain, ttl automatic, commented with the stack", async () => {
    const { cloudflare } = await run("staging", { "perudo-vibe:routing": "route" });
    const records = recordsAt(cloudflare, "party.example.com");
    expect(records).toHaveLength(1);
    expect(records[0]!.inputs).toMatchObject({
      zoneId: ZONE_ID,
      name: "party.example.com",
      type: "AAAA",
      content: "100::",
      proxied: true,
      ttl: 1,
    });
    expect(records[0]!.inputs.comment).toContain("perudo-vibe/staging");
    expect(records[0]!.inputs.comment).toMatch(/managed by pulumi/i);
    expect(records[0]!.inputs.comment.length).toBeLessThanOrEqual(100);
  });
});

describe("zone", () => {
  it("looks the zone up by name within the account when createZone is off", async () => {
    const { cloudflare, outputs } = await run("staging");
    expect(cloudflare.ofType(ZONE)).toEqual([]);
    const lookups = cloudflare.calls.filter((call) => call.token === "cloudflare:index/getZones:getZones");
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.inputs).toMatchObject({ name: "example.com", account: { id: ACCOUNT_ID } });
    expect(await valueOf(outputs.zoneId)).toBe(ZONE_ID);
    expect(outputs.nameservers).toBeUndefined();
  });

  it("creates the zone in the account and outputs its nameservers when createZone is on", async () => {
    const cloudflare = new MockCloudflare({ zones: [] });
    const { outputs } = await run("staging", { "perudo-vibe:createZone": "true" }, { cloudflare });
    const zones = cloudflare.ofType(ZONE);
    expect(zones).toHaveLength(1);
    expect(zones[0]!.inputs).toMatchObject({ name: "example.com", account: { id: ACCOUNT_ID }, type: "full" });
    expect(cloudflare.calls.filter((call) => call.token === "cloudflare:index/getZones:getZones")).toEqual([]);
    expect(await valueOf(outputs.zoneId)).toBe(CREATED_ZONE_ID);
    expect(await valueOf(outputs.nameservers!)).toEqual(NAMESERVERS);
  });
});

describe("frontend record", () => {
  it("adds the frontend CNAME, proxied by default, commented with the stack", async () => {
    const { cloudflare } = await run("staging", {
      "perudo-vibe:frontend": JSON.stringify({ hostname: "play.example.com", target: "perudo-web.pages.dev" }),
    });
    const records = recordsAt(cloudflare, "play.example.com");
    expect(records).toHaveLength(1);
    expect(records[0]!.inputs).toMatchObject({
      zoneId: ZONE_ID,
      type: "CNAME",
      content: "perudo-web.pages.dev",
      proxied: true,
      ttl: 1,
    });
    expect(records[0]!.inputs.comment).toContain("perudo-vibe/staging");
  });

  it("honours proxied: false and creates nothing when frontend is {}", async () => {
    const unproxied = await run("staging", {
      "perudo-vibe:frontend": JSON.stringify({ hostname: "play.example.com", target: "web.example.net", proxied: false }),
    });
    expect(recordsAt(unproxied.cloudflare, "play.example.com")[0]!.inputs.proxied).toBe(false);
    const none = await run("staging", { "perudo-vibe:frontend": "{}" });
    expect(none.cloudflare.ofType(DNS)).toEqual([]);
  });
});

describe("deploy token", () => {
  it("is an account-owned token by default, named perudo-vibe-<stack>-deploy", async () => {
    const { cloudflare } = await run("staging");
    expect(cloudflare.ofType(API_TOKEN)).toEqual([]);
    const tokens = cloudflare.ofType(ACCOUNT_TOKEN);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.inputs).toMatchObject({ accountId: ACCOUNT_ID, name: "perudo-vibe-staging-deploy" });
    const lists = cloudflare.calls.map((call) => call.token).filter((token) => token.includes("PermissionGroups"));
    expect(lists).toEqual([
      "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList",
    ]);
    expect(cloudflare.calls.find((call) => call.token.includes("PermissionGroups"))!.inputs).toMatchObject({
      accountId: ACCOUNT_ID,
    });
  });

  it("is a user-owned ApiToken, resolved from the user's group list, when tokenOwner is user", async () => {
    const { cloudflare } = await run("staging", { "perudo-vibe:tokenOwner": "user" });
    expect(cloudflare.ofType(ACCOUNT_TOKEN)).toEqual([]);
    const tokens = cloudflare.ofType(API_TOKEN);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.inputs.name).toBe("perudo-vibe-staging-deploy");
    expect(tokens[0]!.inputs.accountId).toBeUndefined();
    const lists = cloudflare.calls.map((call) => call.token).filter((token) => token.includes("PermissionGroups"));
    expect(lists).toEqual(["cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList"]);
  });

  for (const [routing, zoneGroups] of [
    ["custom-domain", ["Zone Read", "DNS Read"]],
    ["route", ["Zone Read", "DNS Read", "Workers Routes Write"]],
  ] as const) {
    for (const owner of ["account", "user"] as const) {
      it(`${owner} token in ${routing} mode: exactly one account, one zone, exactly the listed groups`, async () => {
        const { cloudflare } = await run("staging", {
          "perudo-vibe:routing": routing,
          "perudo-vibe:tokenOwner": owner,
        });
        const [token] = cloudflare.ofType(owner === "account" ? ACCOUNT_TOKEN : API_TOKEN);
        const policies = token!.inputs.policies as { effect: string; permissionGroups: { id: string }[]; resources: string }[];
        expect(policies).toHaveLength(2);
        expect(policies.every((policy) => policy.effect === "allow")).toBe(true);
        const [accountPolicy, zonePolicy] = policies;
        expect(JSON.parse(accountPolicy!.resources)).toEqual({ [`com.cloudflare.api.account.${ACCOUNT_ID}`]: "*" });
        expect(JSON.parse(zonePolicy!.resources)).toEqual({ [`com.cloudflare.api.account.zone.${ZONE_ID}`]: "*" });
        expect(accountPolicy!.permissionGroups.map((group) => group.id).sort()).toEqual(
          groupIdsByName(["Workers Scripts Write", "Account Settings Read", "Workers Tail Read"]).sort(),
        );
        expect(zonePolicy!.permissionGroups.map((group) => group.id).sort()).toEqual(
          groupIdsByName([...zoneGroups]).sort(),
        );
        // Never all accounts or all zones.
        expect(JSON.stringify(policies)).not.toMatch(/\*"\s*:|account\.\*|zone\.\*/);
      });
    }
  }

  it("adds a request-IP condition only when deployIps is set", async () => {
    const without = await run("staging");
    expect(without.cloudflare.ofType(ACCOUNT_TOKEN)[0]!.inputs.condition).toBeUndefined();
    const withIps = await run("staging", {
      "perudo-vibe:deployIps": JSON.stringify(["203.0.113.0/24", "2001:db8::/32"]),
    });
    expect(withIps.cloudflare.ofType(ACCOUNT_TOKEN)[0]!.inputs.condition).toEqual({
      requestIp: { ins: ["203.0.113.0/24", "2001:db8::/32"] },
    });
  });

  it("expires tokenTtlDays after it was issued, at second precision", async () => {
    const { cloudflare, outputs } = await run("staging", { "perudo-vibe:tokenTtlDays": "30" });
    expect(cloudflare.ofType(ACCOUNT_TOKEN)[0]!.inputs.expiresOn).toBe("2026-03-31T10:20:30Z");
    expect(await valueOf(outputs.deployTokenExpiresOn)).toBe("2026-03-31T10:20:30Z");
  });

  it("keeps the same expiry across two runs with the same config (no token change, no replacement)", async () => {
    const state = new Map<string, unknown>();
    const first = await run("staging", {}, { now: T0, cloudflare: new MockCloudflare({ state }) });
    const later = new Date(T0.getTime() + 17 * 24 * 3600 * 1000);
    const second = await run("staging", {}, { now: later, cloudflare: new MockCloudflare({ state }) });
    const [firstToken] = first.cloudflare.ofType(ACCOUNT_TOKEN);
    const [secondToken] = second.cloudflare.ofType(ACCOUNT_TOKEN);
    expect(secondToken!.name).toBe(firstToken!.name);
    expect(secondToken!.inputs).toEqual(firstToken!.inputs);
    expect(secondToken!.inputs.expiresOn).toBe("2026-05-30T10:20:30Z");
    expect(await valueOf(second.outputs.deployTokenExpiresOn)).toBe(await valueOf(first.outputs.deployTokenExpiresOn));
    // The issue time lives in a Stash whose later inputs are ignored, so previews stay quiet.
    const [stash] = second.cloudflare.ofType(STASH);
    expect(second.cloudflare.optionsOf(stash!.name)!.ignoreChanges).toEqual(["input"]);
  });

  it("moves the expiry with tokenTtlDays (an in-place update) without re-issuing", async () => {
    const state = new Map<string, unknown>();
    const first = await run("staging", {}, { cloudflare: new MockCloudflare({ state }) });
    const second = await run(
      "staging",
      { "perudo-vibe:tokenTtlDays": "7" },
      // A day after issue: the shorter lifetime still lies ahead (a past date is never sent; see below).
      { now: new Date("2026-03-02T00:00:00Z"), cloudflare: new MockCloudflare({ state }) },
    );
    expect(second.cloudflare.ofType(ACCOUNT_TOKEN)[0]!.name).toBe(first.cloudflare.ofType(ACCOUNT_TOKEN)[0]!.name);
    expect(second.cloudflare.ofType(ACCOUNT_TOKEN)[0]!.inputs.expiresOn).toBe("2026-03-08T10:20:30Z");
  });

  it("rotates: a new tokenRotation is a new token with a fresh expiry", async () => {
    const state = new Map<string, unknown>();
    const first = await run("staging", {}, { cloudflare: new MockCloudflare({ state }) });
    const rotatedAt = new Date("2026-05-15T08:00:00Z");
    const rotated = await run(
      "staging",
      { "perudo-vibe:tokenRotation": "2026-05-15" },
      { now: rotatedAt, cloudflare: new MockCloudflare({ state }) },
    );
    const [oldToken] = first.cloudflare.ofType(ACCOUNT_TOKEN);
    const [newToken] = rotated.cloudflare.ofType(ACCOUNT_TOKEN);
    expect(newToken!.name).not.toBe(oldToken!.name);
    expect(newToken!.inputs.name).toBe("perudo-vibe-staging-deploy");
    expect(newToken!.inputs.expiresOn).toBe("2026-08-13T08:00:00Z");
    expect(await valueOf(rotated.outputs.deployToken)).toBe(`secret-value-of-${newToken!.name}`);
  });
});

describe("deploy token expiry: never in the past", () => {
  const ISSUED_AT = "perudo-vibe-deploy-token-issued-at";
  const DAY_MS = 24 * 3600 * 1000;

  function stateIssued(daysAgo: number, now: Date): Map<string, unknown> {
    return new Map<string, unknown>([[ISSUED_AT, toRfc3339Seconds(new Date(now.getTime() - daysAgo * DAY_MS))]]);
  }

  it("a token issued 200 days ago is replaced in the same update with an expiry ahead, and the update says so", async () => {
    const warnings: string[] = [];
    const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
      warnings.push(message);
    });
    try {
      const state = stateIssued(200, T0);
      const { cloudflare, outputs } = await run("staging", {}, { now: T0, cloudflare: new MockCloudflare({ state }) });
      const [token] = cloudflare.ofType(ACCOUNT_TOKEN);
      const expiresOn = Date.parse(token!.inputs.expiresOn);
      expect(expiresOn - T0.getTime()).toBeGreaterThanOrEqual(14 * DAY_MS);
      expect(expiresOn - T0.getTime()).toBeLessThanOrEqual(90 * DAY_MS);
      // 90 + 2 x 76 days after issue: the smallest whole number of renewals that is 14+ days ahead.
      expect(token!.inputs.expiresOn).toBe(toRfc3339Seconds(new Date(T0.getTime() - 200 * DAY_MS + 242 * DAY_MS)));
      expect(await valueOf(outputs.deployTokenExpiresOn)).toBe(token!.inputs.expiresOn);
      // Replaced, not updated in place: the renewal number is the token's replacement trigger.
      expect(await valueOf(cloudflare.optionsOf(token!.name)!.replacementTrigger as pulumi.Output<unknown>)).toBe(2);
      expect(warnings.join("\n")).toMatch(/Deploy token perudo-vibe-staging-deploy: .* is past or within 14 days\. It is renewed automatically \(renewal 2\)/);
      expect(warnings.join("\n")).toContain(`replaced by a new one expiring on ${token!.inputs.expiresOn}`);
    } finally {
      warn.mockRestore();
    }
  });

  it("a token the refresh dropped (expired) is created again with an expiry ahead, not the stored past one", async () => {
    // After expiry the provider's refresh removes the token from state; the issue-time stash stays.
    // The program then declares the token anew: with mocks that is the same declaration, checked here.
    const state = stateIssued(95, T0);
    const { cloudflare } = await run("staging", {}, { now: T0, cloudflare: new MockCloudflare({ state }) });
    const [token] = cloudflare.ofType(ACCOUNT_TOKEN);
    const stored = Date.parse(toRfc3339Seconds(new Date(T0.getTime() - 95 * DAY_MS + 90 * DAY_MS)));
    expect(stored).toBeLessThan(T0.getTime());
    expect(Date.parse(token!.inputs.expiresOn)).toBeGreaterThan(T0.getTime() + 14 * DAY_MS);
  });

  it("a token that expires within 14 days is renewed; one with more left is not", async () => {
    const renewed = await run("staging", {}, { now: T0, cloudflare: new MockCloudflare({ state: stateIssued(80, T0) }) });
    expect(Date.parse(renewed.cloudflare.ofType(ACCOUNT_TOKEN)[0]!.inputs.expiresOn)).toBe(Date.parse(toRfc3339Seconds(new Date(T0.getTime() + 86 * DAY_MS))));
    const kept = await run("staging", {}, { now: T0, cloudflare: new MockCloudflare({ state: stateIssued(70, T0) }) });
    const [token] = kept.cloudflare.ofType(ACCOUNT_TOKEN);
    expect(token!.inputs.expiresOn).toBe(toRfc3339Seconds(new Date(T0.getTime() + 20 * DAY_MS)));
    expect(await valueOf(kept.cloudflare.optionsOf(token!.name)!.replacementTrigger as pulumi.Output<unknown>)).toBe(0);
  });

  it("planExpiry: stable between renewals, never behind now + window, short lifetimes use half the lifetime", () => {
    const issued = "2026-01-01T00:00:00Z";
    const at = (iso: string) => planExpiry(issued, 90, new Date(iso));
    expect(at("2026-03-01T00:00:00Z")).toMatchObject({ renewal: 0, expiresOn: "2026-04-01T00:00:00Z" });
    expect(at("2026-03-18T00:00:00Z")).toMatchObject({ renewal: 0, expiresOn: "2026-04-01T00:00:00Z" });
    expect(at("2026-03-18T00:00:01Z")).toMatchObject({ renewal: 1, expiresOn: "2026-06-16T00:00:00Z" });
    expect(at("2026-05-01T00:00:00Z")).toEqual(at("2026-03-20T00:00:00Z"));
    for (const day of [100, 200, 400, 1000]) {
      const now = new Date(Date.parse(issued) + day * DAY_MS);
      const plan = planExpiry(issued, 90, now);
      expect(Date.parse(plan.expiresOn) - now.getTime()).toBeGreaterThanOrEqual(14 * DAY_MS);
      expect(Date.parse(plan.expiresOn) - now.getTime()).toBeLessThanOrEqual(90 * DAY_MS);
    }
    expect(planExpiry(issued, 7, new Date("2026-01-05T00:00:00Z"))).toMatchObject({ windowDays: 3.5, renewal: 1, expiresOn: "2026-01-11T12:00:00Z" });
  });
});

describe("protection", () => {
  it("protects DNS records and a created zone on prod", async () => {
    const { cloudflare } = await run(
      "prod",
      {
        "perudo-vibe:routing": "route",
        "perudo-vibe:createZone": "true",
        "perudo-vibe:frontend": JSON.stringify({ hostname: "play.example.com", target: "perudo-web.pages.dev" }),
      },
      { cloudflare: new MockCloudflare({ zones: [] }) },
    );
    const protectedTypes = [ZONE, DNS, DNS];
    const declared = [...cloudflare.ofType(ZONE), ...cloudflare.ofType(DNS)];
    expect(declared.map((resource) => resource.type)).toEqual(protectedTypes);
    for (const resource of declared) expect(cloudflare.optionsOf(resource.name)!.protect).toBe(true);
    // The token is not protected: rotation replaces it.
    const [token] = cloudflare.ofType(ACCOUNT_TOKEN);
    expect(cloudflare.optionsOf(token!.name)!.protect).toBeFalsy();
  });

  it("protects nothing on staging", async () => {
    const { cloudflare } = await run(
      "staging",
      { "perudo-vibe:routing": "route", "perudo-vibe:createZone": "true" },
      { cloudflare: new MockCloudflare({ zones: [] }) },
    );
    expect(cloudflare.options.filter((options) => options.protect)).toEqual([]);
  });

  it("names children after the component and parents them to it", async () => {
    const { cloudflare } = await run("staging", { "perudo-vibe:routing": "route" });
    for (const options of cloudflare.options) {
      expect(options.name.startsWith("perudo-vibe")).toBe(true);
    }
    expect(cloudflare.optionsOf("perudo-vibe-route-record")!.parent).toBe("perudo-vibe");
    expect(cloudflare.optionsOf("perudo-vibe-deploy-token-token")!.parent).toBe("perudo-vibe-deploy-token");
  });
});

describe("the optional WAF rate limiting rule (wafRateLimit)", () => {
  const RULESET = "cloudflare:index/ruleset:Ruleset";

  it("is off by default: no ruleset", async () => {
    const { cloudflare } = await run("staging");
    expect(cloudflare.ofType(RULESET)).toEqual([]);
  });

  it("is one zone http_ratelimit rule within the Free plan: path only, per IP and colo, 10 s period and block", async () => {
    const { cloudflare } = await run("prod", { "perudo-vibe:wafRateLimit": "120" });
    const rulesets = cloudflare.ofType(RULESET);
    expect(rulesets).toHaveLength(1);
    const [ruleset] = rulesets;
    expect(ruleset!.name).toBe("perudo-vibe-waf-rate-limit");
    expect(ruleset!.inputs).toMatchObject({ zoneId: ZONE_ID, kind: "zone", phase: "http_ratelimit", name: "perudo-vibe-prod rate limits" });
    const rules = ruleset!.inputs.rules as Record<string, unknown>[];
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      action: "block",
      enabled: true,
      expression: '(starts_with(http.request.uri.path, "/parties/main/") or starts_with(http.request.uri.path, "/party/"))',
      ratelimit: { characteristics: ["ip.src", "cf.colo.id"], period: 10, requestsPerPeriod: 120, mitigationTimeout: 10 },
    });
    // The Free plan's expressions may use the path only: never the host.
    expect(String(rules[0]!["expression"])).not.toMatch(/http\.host/);
    expect(cloudflare.optionsOf("perudo-vibe-waf-rate-limit")!.parent).toBe("perudo-vibe");
  });
});

describe("outputs", () => {
  it("publishes every value the deploy CLI reads", async () => {
    const { outputs } = await run("staging", {
      "perudo-vibe:routing": "route",
      "perudo-vibe:workerName": "perudo-staging",
      "perudo-vibe:allowedOrigins": JSON.stringify(["https://play.example.com"]),
      "perudo-vibe:turnSeconds": "45",
      "perudo-vibe:tokenTtlDays": "10",
    });
    const resolved = await valueOf(pulumi.output(outputs));
    expect(resolved).toEqual({
      accountId: ACCOUNT_ID,
      zoneId: ZONE_ID,
      zoneName: "example.com",
      domain: "party.example.com",
      routing: "route",
      environment: "staging",
      workerName: "perudo-staging",
      deployToken: "secret-value-of-perudo-vibe-deploy-token-token",
      deployTokenExpiresOn: "2026-03-11T10:20:30Z",
      host: "party.example.com",
      websocketUrl: "wss://party.example.com/parties/main",
      healthUrl: "https://party.example.com/health",
      allowedOrigins: ["https://play.example.com"],
      turnSeconds: 45,
      maxConnectionsPerRoom: 64,
    });
  });

  it("defaults workerName to perudo-vibe-<stack> and allowedOrigins to [] (any origin)", async () => {
    const { outputs } = await run("prod");
    expect(outputs.workerName).toBe("perudo-vibe-prod");
    expect(outputs.environment).toBe("prod");
    expect(outputs.routing).toBe("custom-domain");
    expect(outputs.allowedOrigins).toEqual([]);
    expect(outputs.turnSeconds).toBe(60);
  });

  it("marks deployToken as a secret, and only it", async () => {
    const { outputs } = await run("staging");
    expect(await pulumi.isSecret(outputs.deployToken)).toBe(true);
    expect(await pulumi.isSecret(outputs.deployTokenExpiresOn)).toBe(false);
    expect(await pulumi.isSecret(outputs.zoneId)).toBe(false);
  });
});

describe("readStackConfig (the program's first step)", () => {
  beforeEach(async () => {
    await new MockCloudflare().install("staging");
  });

  it("reads the perudo-vibe namespace and ignores other providers' keys", () => {
    pulumi.runtime.setAllConfig({
      "perudo-vibe:config:accountId": ACCOUNT_ID,
      "perudo-vibe:config:zone": "example.com",
      "perudo-vibe:config:domain": "party.example.com",
      "perudo-vibe:config:allowedOrigins": '["https://play.example.com"]',
      "cloudflare:config:apiToken": "not-ours",
    });
    const parsed = readStackConfig();
    expect(parsed.stack).toBe("staging");
    expect(parsed.allowedOrigins).toEqual(["https://play.example.com"]);
  });

  it("fails with a pulumi.RunError (printed without a stack trace) naming the key and the fix", () => {
    pulumi.runtime.setAllConfig({
      "perudo-vibe:config:accountId": ACCOUNT_ID,
      "perudo-vibe:config:zone": "example.com",
      "perudo-vibe:config:domain": "party.other.org",
    });
    let caught: unknown;
    try {
      readStackConfig();
    } catch (error) {
      caught = error;
    }
    expect(pulumi.RunError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toContain("perudo-vibe:domain");
    expect((caught as Error).message).toContain("pulumi config set perudo-vibe:domain party.example.com");
  });
});
