// npm run doctor end to end: fake pulumi (stack config, outputs) -> our command, spawned as a user
// would -> the fake Cloudflare API with bootstrap tokens holding (or lacking) each group.
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../support/dev-server.ts";
import { startFakeCloudflare, type FakeCloudflare, type FakeTokenPolicy } from "../support/fake-cloudflare/index.ts";
import { ACCOUNT_ID, BOOTSTRAP_TOKEN, DEPLOY_TOKEN, ZONE, ZONE_ID, leakedSecrets, pulumiState, runOps, stackOutputs } from "./support/harness.ts";

const DAY = 86_400_000;
const PENDING_ZONE = "pending-zone.dev";
const PENDING_ZONE_ID = "feedfeedfeedfeedfeedfeedfeedfeed";
const ACCOUNT_RESOURCES = { [`com.cloudflare.api.account.${ACCOUNT_ID}`]: "*" };
const ZONE_RESOURCES = { [`com.cloudflare.api.account.zone.${ZONE_ID}`]: "*" };
const PENDING_ZONE_RESOURCES = { ...ZONE_RESOURCES, [`com.cloudflare.api.account.zone.${PENDING_ZONE_ID}`]: "*" };
const ACCOUNT_GROUPS = ["API Tokens Write", "Workers Scripts Write", "Account Settings Read", "Workers Tail Read"];
const ZONE_GROUPS = ["Zone Read", "DNS Write", "DNS Read", "Workers Routes Write"];
/** Every group the bootstrap token must hold in custom-domain mode (route mode adds Workers Routes Write). */
const NEEDED = [...ACCOUNT_GROUPS, "Zone Read", "DNS Write", "DNS Read"];

const tokenFor = (group: string) => `bootstrap-without-${group.toLowerCase().replace(/[^a-z]+/g, "-")}-0123456789`;
const NO_SELF_READ = "bootstrap-cannot-read-itself-0123456789";
const NO_GROUP_LIST = "bootstrap-no-group-list-0123456789";
const EXPIRED = "bootstrap-expired-0123456789";
const USER_TOKEN = "bootstrap-user-template-0123456789";

function policies(without: string[] = [], zoneResources: Record<string, string> = ZONE_RESOURCES): FakeTokenPolicy[] {
  return [
    { permissionGroups: ACCOUNT_GROUPS.filter((group) => !without.includes(group)), resources: ACCOUNT_RESOURCES },
    { permissionGroups: ZONE_GROUPS.filter((group) => !without.includes(group)), resources: zoneResources },
  ];
}

let fake: FakeCloudflare;
let state: string;

function config(values: Record<string, string>): Record<string, { value: string; secret: boolean }> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`perudo-vibe:${key}`, { value, secret: false }]));
}

beforeAll(async () => {
  const future = new Date(Date.now() + 200 * DAY).toISOString();
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: {
      [BOOTSTRAP_TOKEN]: { status: "active", kind: "account", expiresOn: future, policies: policies([], PENDING_ZONE_RESOURCES) },
      ...Object.fromEntries([...NEEDED, "Workers Routes Write"].map((group) => [tokenFor(group), { status: "active" as const, kind: "account" as const, policies: policies([group]) }])),
      // A token without API Tokens Read/Write cannot read its own details (no `policies`).
      [NO_SELF_READ]: { status: "active", kind: "account" },
      [NO_GROUP_LIST]: {
        status: "active",
        kind: "account",
        policies: policies(["API Tokens Write"]),
        permissions: ["GET /accounts/:account_id/tokens/:token_id", "GET /zones", "GET /zones/:zone_id", "GET /zones/:zone_id/dns_records", "GET /accounts/:account_id/workers/domains"],
      },
      [EXPIRED]: { status: "expired", kind: "account", expiresOn: new Date(Date.now() - DAY).toISOString() },
      // tokenOwner user: the "Create Additional Tokens" template (API Tokens Write at user level) plus the same groups.
      [USER_TOKEN]: {
        status: "active",
        kind: "user",
        policies: [
          { permissionGroups: ["API Tokens Write"], resources: { "com.cloudflare.api.user.fake-user-id": "*" } },
          { permissionGroups: ACCOUNT_GROUPS.filter((group) => group !== "API Tokens Write"), resources: ACCOUNT_RESOURCES },
          { permissionGroups: ZONE_GROUPS, resources: ZONE_RESOURCES },
        ],
      },
    },
    zones: [
      { id: ZONE_ID, name: ZONE, status: "active" },
      { id: PENDING_ZONE_ID, name: PENDING_ZONE, status: "pending", nameServers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] },
    ],
    scripts: [{ name: "other-worker" }],
    workerDomains: [{ hostname: `taken.${ZONE}`, service: "other-worker", zoneId: ZONE_ID }],
    dnsRecords: [{ zoneId: ZONE_ID, name: `legacy.${ZONE}`, type: "A", content: "192.0.2.1", proxied: true }],
    logUnhandled: true,
  });
  const stacks = ["staging", "route", "pending", "taken", "legacy", "user", "bad"];
  state = pulumiState(Object.fromEntries(stacks.map((stack) => [stack, {}])));
  const base = { accountId: ACCOUNT_ID, zone: ZONE };
  const configs: Record<string, Record<string, string>> = {
    staging: { ...base, domain: `staging.${ZONE}` },
    route: { ...base, domain: `route.${ZONE}`, routing: "route" },
    pending: { ...base, zone: PENDING_ZONE, domain: `play.${PENDING_ZONE}` },
    taken: { ...base, domain: `taken.${ZONE}` },
    legacy: { ...base, domain: `legacy.${ZONE}` },
    user: { ...base, domain: `staging.${ZONE}`, tokenOwner: "user" },
    bad: { ...base, domain: "Not A Hostname" },
  };
  for (const [stack, values] of Object.entries(configs)) {
    writeFileSync(path.join(state, `${stack}.config.json`), JSON.stringify(config(values)));
  }
});

afterAll(async () => {
  await fake?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

const run = (args: string[], env: Record<string, string> = {}) => runOps("doctor", args, { fake, pulumiState: state, env });
const line = (stdout: string, check: string) => stdout.split("\n").find((text) => new RegExp(`^(ok|missing|cannot tell) +${check} `).test(text)) ?? "";

describe("npm run doctor", { timeout: 120_000 }, () => {
  it("--help documents every check and the exit codes", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    for (const check of ["node", "wrangler", "token", "permission-groups", "token-grants", "zone", "hostname"]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${check} `, "m"));
    }
    expect(result.stdout).toContain("Exit codes: 0 every check ok");
    expect(result.stdout).toContain("3 a token problem");
    expect(result.stdout).toContain("4 an account, zone or hostname problem");
  });

  it("all ok: one line per check, exit 0, read-only, the token never printed", async () => {
    const before = fake.requests.length;
    const result = await run(["--stack", "staging"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    for (const check of ["node", "wrangler", "token", "permission-groups", "token-grants", "zone", "hostname"]) {
      expect(line(result.stdout, check), check).toMatch(/^ok /);
    }
    expect(result.stdout).toContain("All checks ok. Next: pulumi up --stack staging");
    const requests = fake.requests.slice(before);
    expect(requests.length).toBeGreaterThan(4);
    expect(new Set(requests.map((request) => request.method))).toEqual(new Set(["GET"]));
    expect(new Set(requests.map((request) => request.headers["authorization"]))).toEqual(new Set([`Bearer ${BOOTSTRAP_TOKEN}`]));
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it.each(NEEDED)("a bootstrap token without %s: missing, named, exit 3", async (group) => {
    const result = await run(["--stack", "staging"], { CLOUDFLARE_API_TOKEN: tokenFor(group) });
    expect(result.code, result.stdout).toBe(3);
    const grants = line(result.stdout, "token-grants");
    expect(grants).toMatch(/^missing /);
    expect(grants).toContain(`lacks ${group} `);
    expect(result.stdout).toContain("a token cannot grant what its creator lacks");
    expect(result.stdout + result.stderr).not.toContain(tokenFor(group));
  });

  it("route mode also needs Workers Routes Write on the zone", async () => {
    const ok = await run(["--stack", "route"]);
    expect(ok.code, ok.stdout).toBe(0);
    const result = await run(["--stack", "route"], { CLOUDFLARE_API_TOKEN: tokenFor("Workers Routes Write") });
    expect(result.code).toBe(3);
    expect(line(result.stdout, "token-grants")).toContain(`lacks Workers Routes Write on zone ${ZONE}`);
    // In custom-domain mode the same token is enough.
    expect((await run(["--stack", "staging"], { CLOUDFLARE_API_TOKEN: tokenFor("Workers Routes Write") })).code).toBe(0);
  });

  it("a token that may not read its own policies: cannot tell, with what to check in the dashboard", async () => {
    const result = await run(["--stack", "staging"], { CLOUDFLARE_API_TOKEN: NO_SELF_READ });
    const grants = line(result.stdout, "token-grants");
    expect(grants).toMatch(/^cannot tell /);
    expect(result.stdout).toContain("In the dashboard (API Tokens > the bootstrap token > Edit) check it holds: API Tokens Write on the account");
  });

  it("a token that cannot read the permission-group list: missing API Tokens Write, exit 3", async () => {
    const result = await run(["--stack", "staging"], { CLOUDFLARE_API_TOKEN: NO_GROUP_LIST });
    expect(result.code).toBe(3);
    expect(line(result.stdout, "permission-groups")).toMatch(/^missing .*may not read the permission-group list/);
    expect(result.stdout).toContain("Account API Tokens: Edit (API Tokens Write)");
  });

  it("an expired bootstrap token: exit 3", async () => {
    const result = await run(["--stack", "staging"], { CLOUDFLARE_API_TOKEN: EXPIRED });
    expect(result.code).toBe(3);
    expect(line(result.stdout, "token")).toMatch(/^missing +token +the bootstrap token \(account-owned\) is expired/);
  });

  it("tokenOwner user: a token from the Create Additional Tokens template plus the same groups is ok", async () => {
    const result = await run(["--stack", "user"], { CLOUDFLARE_API_TOKEN: USER_TOKEN });
    expect(result.code, result.stdout).toBe(0);
    expect(line(result.stdout, "token")).toContain("user-owned");
    expect(line(result.stdout, "token-grants")).toContain("API Tokens Write at user level");
  });

  it("a pending zone: missing with the nameservers to set, exit 4", async () => {
    const tokenWithPendingZone = await run(["--stack", "pending"]);
    expect(tokenWithPendingZone.code).toBe(4);
    const zone = line(tokenWithPendingZone.stdout, "zone");
    expect(zone).toMatch(new RegExp(`^missing +zone +${PENDING_ZONE} is pending`));
    expect(tokenWithPendingZone.stdout).toContain("Set these nameservers at your registrar: ada.ns.cloudflare.com, bob.ns.cloudflare.com");
  });

  it("a hostname held by another Worker, or with a DNS record: missing with the preflight's message, exit 4", async () => {
    const taken = await run(["--stack", "taken"]);
    expect(taken.code).toBe(4);
    expect(line(taken.stdout, "hostname")).toMatch(/^missing /);
    expect(taken.stdout).toContain(`taken.${ZONE} is a Custom Domain of another Worker, 'other-worker'`);
    const legacy = await run(["--stack", "legacy"]);
    expect(legacy.code).toBe(4);
    expect(legacy.stdout).toContain(`DNS already has A 192.0.2.1 (proxied) at legacy.${ZONE}`);
  });

  it("a network failure says it is the network and names CLOUDFLARE_API_BASE_URL, not the token; exit 4", async () => {
    const closed = `http://127.0.0.1:${await freePort()}/client/v4`;
    const result = await run(["--stack", "staging"], { CLOUDFLARE_API_BASE_URL: closed });
    expect(result.code).toBe(4);
    const token = line(result.stdout, "token");
    expect(token).toMatch(/^missing +token +Could not verify the bootstrap token \(CLOUDFLARE_API_TOKEN\): Cloudflare's API did not answer/);
    expect(result.stdout).toContain("This is the network, not the token");
    expect(result.stdout).toContain("CLOUDFLARE_API_BASE_URL");
    expect(result.stdout).not.toMatch(/rejected|lacks/);
  });

  it("--json: one object with every check; a finding keeps its exit code", async () => {
    const result = await run(["--stack", "taken", "--json"]);
    expect(result.code).toBe(4);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: false, exitCode: 4, stack: "taken", source: "config" });
    expect(report.checks.map((check: { name: string }) => check.name)).toEqual(["node", "wrangler", "token", "permission-groups", "token-grants", "zone", "hostname"]);
    expect(report.checks.find((check: { name: string }) => check.name === "hostname")).toMatchObject({ status: "missing" });
  });

  it("--outputs: checks a stack that is already up from its outputs", async () => {
    const file = path.join(state, "outputs.json");
    writeFileSync(file, JSON.stringify(stackOutputs("staging")));
    const result = await run(["--outputs", file, "--json"]);
    expect(result.code, result.stdout).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, source: "outputs" });
    expect(result.stdout + result.stderr).not.toContain(DEPLOY_TOKEN);
  });

  it("exits 2 for an invalid config or without a stack, 3 without CLOUDFLARE_API_TOKEN", async () => {
    const bad = await run(["--stack", "bad"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("perudo-vibe:domain");
    expect((await run([])).code).toBe(2);
    const noToken = await run(["--stack", "staging"], { CLOUDFLARE_API_TOKEN: "" });
    expect(noToken.code).toBe(3);
    expect(noToken.stderr).toContain("CLOUDFLARE_API_TOKEN is not set");
  });

});
