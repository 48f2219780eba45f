// The pure parts of the ops commands: rollback planning, refusal detection, JSONC reading,
// status judgement, teardown guards, rotation values.
import { describe, expect, it } from "vitest";
import type { StackOutputs } from "../../scripts/lib/outputs.ts";
import type { Deployment, Version } from "../../scripts/ops/common.ts";
import { parseJsonc } from "../../scripts/ops/jsonc.ts";
import { isMigrationRefusal, planRollback } from "../../scripts/ops/rollback.ts";
import { rotationValue } from "../../scripts/ops/rotate-token.ts";
import { assessStatus, renderStatus, type StatusFacts } from "../../scripts/ops/status.ts";
import { describeTeardown, isProduction } from "../../scripts/ops/teardown.ts";

const V = (n: number) => `0000000${n}-0000-4000-8000-000000000000`;
const version = (n: number, tag?: string): Version => ({
  id: V(n),
  number: n,
  metadata: { created_on: `2026-11-0${n}T00:00:00Z`, source: "wrangler" },
  annotations: tag ? { "workers/tag": tag } : {},
});
const deployment = (n: number, ...traffic: [number, number][]): Deployment => ({
  id: `d${n}`,
  created_on: `2026-11-0${n}T00:00:00Z`,
  versions: traffic.map(([v, percentage]) => ({ version_id: V(v), percentage })),
});
const commit = (sha: string, ref = "v1.0.0") => ({ ref, sha, short: sha.slice(0, 7) });

describe("planRollback", () => {
  const versions = [version(1, "aaaaaaa"), version(2, "bbbbbbb-dirty"), version(3, "ccccccc")];
  const deployments = [deployment(1, [1, 100]), deployment(2, [2, 100]), deployment(3, [3, 100])];

  it("previous: the last stable version before the current one, with its commit as fallback", () => {
    expect(planRollback(deployments, versions, { kind: "previous" })).toEqual({
      kind: "wrangler-rollback",
      versionId: V(2),
      build: "bbbbbbb-dirty",
      currentVersionId: V(3),
      fallbackRef: null, // a dirty build is not a commit
    });
  });

  it("previous skips deployments of the current version and gradual splits", () => {
    const plan = planRollback(
      [deployment(1, [1, 100]), deployment(2, [3, 50], [1, 50]), deployment(3, [3, 100]), deployment(4, [3, 100])],
      versions,
      { kind: "previous" },
    );
    expect(plan).toMatchObject({ kind: "wrangler-rollback", versionId: V(1), fallbackRef: "aaaaaaa" });
  });

  it("previous with nothing earlier is a preflight error (exit 4)", () => {
    expect(() => planRollback([deployment(1, [1, 100])], versions, { kind: "previous" })).toThrow(/Nothing to roll back to/);
  });

  it("a version id: already live, known, or unknown (exit 2)", () => {
    expect(planRollback(deployments, versions, { kind: "version", versionId: V(3) }).kind).toBe("already-live");
    expect(planRollback(deployments, versions, { kind: "version", versionId: V(1) })).toMatchObject({ kind: "wrangler-rollback", fallbackRef: "aaaaaaa" });
    expect(() => planRollback(deployments, versions, { kind: "version", versionId: V(9) })).toThrow(/not among the Worker's latest versions/);
  });

  it("a git ref: its newest clean version by build id, else a redeploy", () => {
    expect(planRollback(deployments, versions, { kind: "commit", commit: commit("aaaaaaa1234") })).toMatchObject({
      kind: "wrangler-rollback",
      versionId: V(1),
      fallbackRef: "aaaaaaa1234",
    });
    expect(planRollback(deployments, versions, { kind: "commit", commit: commit("ccccccc999") }).kind).toBe("already-live");
    // Only a dirty build of that commit exists: not the commit, so redeploy it.
    expect(planRollback(deployments, versions, { kind: "commit", commit: commit("bbbbbbb000") })).toMatchObject({ kind: "redeploy" });
    expect(planRollback(deployments, versions, { kind: "commit", commit: commit("ddddddd000") })).toMatchObject({
      kind: "redeploy",
      reason: expect.stringContaining("no version built from v1.0.0 (ddddddd)"),
    });
    // A Worker with no deployment at all can still get a ref deployed.
    expect(planRollback([], [], { kind: "commit", commit: commit("ddddddd000") }).kind).toBe("redeploy");
  });
});

describe("isMigrationRefusal", () => {
  it("recognises Cloudflare's refusal by code or wording, and nothing else", () => {
    expect(isMigrationRefusal("✘ [ERROR] A request to the Cloudflare API failed.\n  something [code: 10211]")).toBe(true);
    expect(isMigrationRefusal("Cannot rollback: a Durable Object migration happened between the versions")).toBe(true);
    expect(isMigrationRefusal("Authentication error [code: 10000]")).toBe(false);
    expect(isMigrationRefusal("Version percentages must add up to 100 [code: 10014]")).toBe(false);
    // wrangler's own warning names Durable Objects; an unrelated migration error on another line is not a refusal.
    expect(
      isMigrationRefusal(
        "Rolling back to a previous deployment will not rollback any of the bound resources (Durable Object, D1, R2, KV, etc).\nMigration tag precondition failed [code: 10079]",
      ),
    ).toBe(false);
  });
});

describe("parseJsonc", () => {
  it("reads comments and trailing commas, and leaves strings alone", () => {
    expect(parseJsonc(`{ // c\n "a": "x,}//y /* z */", /* b */ "b": [1, 2,], }`)).toEqual({ a: "x,}//y /* z */", b: [1, 2] });
    expect(parseJsonc(`{"q": "say \\"hi\\" // not a comment"}`)).toEqual({ q: 'say "hi" // not a comment' });
  });
});

const outputs: StackOutputs = {
  accountId: "0123456789abcdef0123456789abcdef",
  zoneId: "z1",
  zoneName: "example.com",
  domain: "party.example.com",
  routing: "custom-domain",
  environment: "staging",
  workerName: "perudo-vibe-staging",
  deployToken: "secret-token-value",
  deployTokenExpiresOn: null,
  host: "party.example.com",
  websocketUrl: "wss://party.example.com/parties/main",
  healthUrl: "https://party.example.com/health",
  allowedOrigins: [],
  turnSeconds: 60,
};
const NOW = new Date("2026-11-26T12:00:00Z");
const facts = (overrides: Partial<StatusFacts> = {}): StatusFacts => ({
  stack: "staging",
  outputs,
  localBuild: { ok: true, value: "abc1234" },
  health: { url: "https://party.example.com/health", answer: { status: 200, body: JSON.stringify({ ok: true, version: "abc1234" }) } },
  deployments: { ok: true, value: [deployment(1, [1, 100])] },
  versions: { ok: true, value: [version(1, "abc1234")] },
  token: { ok: true, value: { status: "active", expiresOn: "2027-02-01T00:00:00Z" } },
  customDomains: { ok: true, value: ["party.example.com"] },
  ...overrides,
});

describe("assessStatus", () => {
  it("healthy and current: exit 0, no warnings", () => {
    const report = assessStatus(facts(), NOW);
    expect(report).toMatchObject({ ok: true, exitCode: 0, live: { version: "abc1234" }, local: { live: "same" }, warnings: [] });
    expect(report.token).toEqual({ status: "active", expiresOn: "2027-02-01T00:00:00Z", daysLeft: 66 });
    expect(renderStatus(report)).toContain("Deploy token    active, expires 2027-02-01T00:00:00Z (66 days)");
  });

  it("warns under 14 days, fails (3) when expired or not active", () => {
    expect(assessStatus(facts({ token: { ok: true, value: { status: "active", expiresOn: "2026-12-05T00:00:00Z" } } }), NOW).warnings.join()).toMatch(
      /expires on 2026-12-05T00:00:00Z \(in 8 day\(s\)\)/,
    );
    expect(assessStatus(facts({ token: { ok: true, value: { status: "active", expiresOn: "2026-11-01T00:00:00Z" } } }), NOW).exitCode).toBe(3);
    expect(assessStatus(facts({ token: { ok: true, value: { status: "disabled", expiresOn: null } } }), NOW).exitCode).toBe(3);
    expect(assessStatus(facts({ token: { ok: false, error: "Invalid API Token", kind: "credentials" } }), NOW).exitCode).toBe(3);
  });

  it("an unhealthy host is exit 6; the configured host not attached is exit 4", () => {
    expect(assessStatus(facts({ health: { url: "u", answer: { networkError: "ECONNREFUSED" } } }), NOW).exitCode).toBe(6);
    expect(assessStatus(facts({ customDomains: { ok: true, value: [] } }), NOW).exitCode).toBe(4);
  });

  it("says when the live build is not HEAD, and when other hostnames are still attached", () => {
    const report = assessStatus(
      facts({ localBuild: { ok: true, value: "fff0000" }, customDomains: { ok: true, value: ["old.example.com", "party.example.com"] } }),
      NOW,
    );
    expect(report.exitCode).toBe(0);
    expect(report.warnings.join("\n")).toContain("Live build abc1234 is not your local HEAD (fff0000)");
    expect(report.warnings.join("\n")).toContain("also serves old.example.com");
  });
});

describe("teardown guards", () => {
  it("prod is recognised by stack name or environment", () => {
    expect(isProduction("prod", undefined)).toBe(true);
    expect(isProduction("acme/prod", undefined)).toBe(true);
    expect(isProduction("staging", { environment: "production" })).toBe(true);
    expect(isProduction("staging", { environment: "staging" })).toBe(false);
  });

  it("states what goes before asking", () => {
    const text = describeTeardown(outputs, ["party.example.com"], "staging");
    expect(text).toContain("This deletes the Worker perudo-vibe-staging");
    expect(text).toContain("its Custom Domains: party.example.com");
    expect(text).toContain("every Durable Object of the Worker, with all stored rooms and games");
    expect(text).not.toContain("secret-token-value");
  });
});

describe("rotationValue", () => {
  it("is a UTC timestamp the Pulumi config accepts", () => {
    const value = rotationValue(new Date("2026-11-26T15:40:12.345Z"));
    expect(value).toBe("2026-11-26-154012");
    expect(value).toMatch(/^[a-z0-9][a-z0-9.-]{0,31}$/);
  });
});
