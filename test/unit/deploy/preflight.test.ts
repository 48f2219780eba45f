import { describe, expect, it } from "vitest";
import { CloudflareClient, type FetchLike } from "../../../scripts/lib/cloudflare-api.ts";
import { CredentialsError, PreflightError } from "../../../scripts/lib/errors.ts";
import { assessPreflight, throwOnProblems, verifyToken, type PreflightFacts, type PreflightOutputs } from "../../../scripts/lib/preflight.ts";

const NOW = new Date("2026-11-26T12:00:00Z");
const outputs: PreflightOutputs = {
  accountId: "0123456789abcdef0123456789abcdef",
  zoneId: "zone1",
  zoneName: "example.com",
  domain: "perudo.example.com",
  routing: "custom-domain",
  workerName: "perudo-vibe-staging",
  deployTokenExpiresOn: "2027-06-01T00:00:00Z",
};
const facts = (overrides: Partial<PreflightFacts> = {}): PreflightFacts => ({
  token: { verifiedAt: "account", result: { id: "t", status: "active", expires_on: "2027-06-01T00:00:00Z" } },
  zone: { id: "zone1", name: "example.com", status: "active", name_servers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] },
  dnsRecords: [],
  domainHolders: [],
  workerDomains: [],
  ...overrides,
});
const record = (type: string, content: string, proxied = true) => ({ id: `r-${content}`, name: "perudo.example.com", type, content, proxied });
const domain = (hostname: string, service: string) => ({ id: `d-${hostname}`, hostname, service, zone_id: "zone1" });
const messages = (report: ReturnType<typeof assessPreflight>) => report.problems.map((p) => `${p.kind}: ${p.message}`).join("\n");

describe("assessPreflight", () => {
  it("passes a clean first deploy", () => {
    const report = assessPreflight(outputs, facts(), NOW);
    expect(report).toMatchObject({ problems: [], warnings: [], otherCustomDomains: [], domainAlreadyAttached: false });
    expect(() => throwOnProblems(report)).not.toThrow();
  });

  it("token: inactive and expired are credential problems; expiring within 14 days is a warning", () => {
    const disabled = assessPreflight(outputs, facts({ token: { verifiedAt: "user", result: { id: "t", status: "disabled" } } }), NOW);
    expect(messages(disabled)).toMatch(/^credentials: .*is disabled/);
    expect(() => throwOnProblems(disabled)).toThrow(CredentialsError);
    const expired = assessPreflight(outputs, facts({ token: { verifiedAt: "user", result: { id: "t", status: "active", expires_on: "2026-11-01T00:00:00Z" } } }), NOW);
    expect(messages(expired)).toMatch(/expired on 2026-11-01/);
    const soon = assessPreflight(outputs, facts({ token: { verifiedAt: "user", result: { id: "t", status: "active", expires_on: "2026-12-03T00:00:00Z" } } }), NOW);
    expect(soon.problems).toEqual([]);
    expect(soon.warnings.join()).toMatch(/expires on 2026-12-03.*in 6 day/);
  });

  it("a pending zone names the nameservers to set at the registrar", () => {
    const report = assessPreflight(outputs, facts({ zone: { id: "zone1", name: "example.com", status: "pending", name_servers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] } }), NOW);
    expect(messages(report)).toMatch(/pending[\s\S]*registrar[\s\S]*ada\.ns\.cloudflare\.com[\s\S]*bob\.ns\.cloudflare\.com/);
    expect(() => throwOnProblems(report)).toThrow(PreflightError);
  });

  it("custom-domain mode refuses an A/AAAA/CNAME record that is not this Worker's own", () => {
    const report = assessPreflight(outputs, facts({ dnsRecords: [record("A", "192.0.2.1"), { ...record("TXT", "v=spf1"), proxied: false }] }), NOW);
    expect(report.problems).toHaveLength(1);
    expect(messages(report)).toMatch(/DNS already has A 192\.0\.2\.1 \(proxied\) at perudo\.example\.com/);
  });

  it("custom-domain mode accepts the record of this Worker's own custom domain (redeploy)", () => {
    const report = assessPreflight(
      outputs,
      facts({ dnsRecords: [record("AAAA", "100::")], domainHolders: [domain("perudo.example.com", "perudo-vibe-staging")] }),
      NOW,
    );
    expect(report.problems).toEqual([]);
    expect(report.domainAlreadyAttached).toBe(true);
  });

  it("a hostname held by another Worker names the holder and how to release it", () => {
    const report = assessPreflight(outputs, facts({ domainHolders: [domain("perudo.example.com", "legacy-worker")] }), NOW);
    expect(messages(report)).toMatch(/another Worker, 'legacy-worker'[\s\S]*To release it[\s\S]*workers\/domains\/d-perudo\.example\.com/);
  });

  it("route mode requires a proxied record and a route pattern nobody else holds", () => {
    const route = { ...outputs, routing: "route" as const };
    expect(messages(assessPreflight(route, facts(), NOW))).toMatch(/needs a proxied DNS record at perudo\.example\.com, and there is none/);
    expect(messages(assessPreflight(route, facts({ dnsRecords: [record("A", "192.0.2.1", false)] }), NOW))).toMatch(/to be proxied/);
    const held = assessPreflight(
      route,
      facts({ dnsRecords: [record("A", "192.0.2.1")], routes: [{ id: "r1", pattern: "perudo.example.com/*", script: "other" }] }),
      NOW,
    );
    expect(messages(held)).toMatch(/route perudo\.example\.com\/\* belongs to another Worker, 'other'/);
    const fine = assessPreflight(route, facts({ dnsRecords: [record("A", "192.0.2.1")], routes: [{ id: "r1", pattern: "perudo.example.com/*", script: "perudo-vibe-staging" }] }), NOW);
    expect(fine.problems).toEqual([]);
  });

  it("lists the Worker's other custom domains (never removed) as a warning", () => {
    const report = assessPreflight(
      outputs,
      facts({ workerDomains: [domain("perudo.example.com", "perudo-vibe-staging"), domain("old.example.com", "perudo-vibe-staging")] }),
      NOW,
    );
    expect(report.otherCustomDomains).toEqual(["old.example.com"]);
    expect(report.warnings.join()).toMatch(/also serves old\.example\.com/);
  });

  it("credential problems win over preflight problems (exit 3 before 4)", () => {
    const report = assessPreflight(
      outputs,
      facts({ token: { verifiedAt: "user", result: { id: "t", status: "expired" } }, zone: { id: "zone1", name: "example.com", status: "pending" } }),
      NOW,
    );
    expect(() => throwOnProblems(report)).toThrow(CredentialsError);
  });
});

describe("verifyToken", () => {
  const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  const fail = { success: false, errors: [{ code: 1000, message: "Invalid API Token" }], messages: [], result: null };
  const active = { success: true, errors: [], messages: [], result: { id: "t", status: "active" } };
  function clientFor(answers: Record<string, Response>, seen: string[]) {
    const fetch: FetchLike = async (url) => {
      const path = new URL(url).pathname.replace("/client/v4", "");
      seen.push(path);
      return (answers[path] ?? json(404, fail)).clone();
    };
    return new CloudflareClient({ token: "t-123456", baseUrl: "http://api.test/client/v4", fetch, sleep: async () => {} });
  }

  it("uses the account endpoint for account-owned tokens", async () => {
    const seen: string[] = [];
    const facts = await verifyToken(clientFor({ "/accounts/acct/tokens/verify": json(200, active) }, seen), "acct");
    expect(facts.verifiedAt).toBe("account");
    expect(seen).toEqual(["/accounts/acct/tokens/verify"]);
  });

  it("falls back to /user/tokens/verify for user tokens", async () => {
    const seen: string[] = [];
    const facts = await verifyToken(
      clientFor({ "/accounts/acct/tokens/verify": json(401, fail), "/user/tokens/verify": json(200, active) }, seen),
      "acct",
    );
    expect(facts.verifiedAt).toBe("user");
    expect(seen).toEqual(["/accounts/acct/tokens/verify", "/user/tokens/verify"]);
  });

  it("a token neither endpoint knows is a credentials error", async () => {
    await expect(verifyToken(clientFor({ "/accounts/acct/tokens/verify": json(401, fail), "/user/tokens/verify": json(401, fail) }, []), "acct")).rejects.toBeInstanceOf(
      CredentialsError,
    );
  });
});
