// `npm run deploy` end to end, failure paths: each exit code, what is (not) uploaded, and that
// nothing is ever taken over. No verification server is needed here: these runs stop before
// verifying (or use --skip-verify).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { writePulumiState } from "../support/fake-pulumi.ts";
import {
  ATTACH,
  PENDING_ZONE_ID,
  SERVICE,
  UPLOAD,
  VERSION_UPLOAD,
  ZONE_ID,
  endpointsOf,
  expectExit,
  expectNoLeaks,
  expectNoOverride,
  fakeAccount,
  runDeploy,
  stackOutputs,
  type DeployRun,
} from "./support.ts";
import { expectEndpointsDocumented } from "./permissions-doc.ts";

const DENIED_TOKEN = "e2e-denied-token-Hh7Rr3Ll9Ss1Aa5Cc2Uu";
const EXPIRED_TOKEN = "e2e-expired-token-Pp4Mm8Nn2Bb6Vv1Xx9Qq";
let fake: FakeCloudflare;
let dir: string;
const runs: DeployRun[] = [];

const uploadsOf = (run: DeployRun) =>
  run.requests.filter((request) => request.endpoint === UPLOAD || request.endpoint === VERSION_UPLOAD);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "deploy-e2e-fail-"));
  const withoutToken = stackOutputs({ stack: "notoken", domain: "notoken.example.com" });
  delete withoutToken["deployToken"];
  const invalid = stackOutputs({ stack: "invalid", domain: "invalid.example.com" });
  invalid["accountId"] = "not-an-account";
  delete invalid["healthUrl"];
  writePulumiState(dir, {
    conflict: stackOutputs({ stack: "conflict", domain: "dns.example.com" }),
    conflict2: stackOutputs({ stack: "conflict2", domain: "dns2.example.com" }),
    held: stackOutputs({ stack: "held", domain: "held.example.com" }),
    held2: stackOutputs({ stack: "held2", domain: "held2.example.com" }),
    pending: stackOutputs({ stack: "pending", domain: "perudo.pending.test", zoneId: PENDING_ZONE_ID, zoneName: "pending.test" }),
    denied: stackOutputs({ stack: "denied", domain: "denied.example.com", deployToken: DENIED_TOKEN }),
    expired: stackOutputs({ stack: "expired", domain: "expired.example.com", deployToken: EXPIRED_TOKEN }),
    down: stackOutputs({ stack: "down", domain: "down.example.com" }),
    dry: stackOutputs({ stack: "dry", domain: "dry.example.com" }),
    invalid,
    notoken: withoutToken,
    garbage: "this is not json",
  });
  fake = await startFakeCloudflare(
    fakeAccount({
      tokens: { [EXPIRED_TOKEN]: { status: "expired", kind: "account", expiresOn: "2026-01-01T00:00:00Z" } },
      dnsRecords: [
        { zoneId: ZONE_ID, name: "dns.example.com", type: "A", content: "192.0.2.44", proxied: true, comment: "marketing site" },
        { zoneId: ZONE_ID, name: "dns2.example.com", type: "CNAME", content: "elsewhere.example.net", proxied: false },
      ],
      scripts: [{ name: "someone-else", migrationTag: "v1", durableObjectClasses: [] }],
      workerDomains: [
        { hostname: "held.example.com", service: "someone-else", zoneId: ZONE_ID },
        { hostname: "held2.example.com", service: "someone-else", zoneId: ZONE_ID },
      ],
    }),
  );
  // A token that may do everything except upload a Worker (set here: it needs the endpoint list).
  fake.state.tokens.set(DENIED_TOKEN, {
    id: "denied-token-id",
    status: "active",
    kind: "account",
    permissions: fake.endpoints.filter((endpoint) => endpoint !== UPLOAD && endpoint !== VERSION_UPLOAD),
  });
});

afterAll(async () => {
  await fake?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function deploy(args: string[], env: Record<string, string> = {}) {
  const run = await runDeploy(args, { fake, pulumiState: dir, env });
  runs.push(run);
  expectNoLeaks(run);
  expectNoOverride(run);
  return run;
}

describe("npm run deploy (failure paths)", () => {
  it("invalid outputs: exit 2, naming each output and `pulumi up`", async () => {
    const run = await deploy(["--stack", "invalid", "--build-id", "b1"]);
    expectExit(run, 2);
    expect(run.stderr).toContain("output accountId must be a 32-character");
    expect(run.stderr).toContain("output healthUrl is missing");
    expect(run.stderr).toContain("pulumi up --stack invalid");
    expect(run.requests).toEqual([]);
  });

  it("unparsable outputs: exit 2", async () => {
    const run = await deploy(["--stack", "garbage", "--build-id", "b1", "--json"]);
    expectExit(run, 2);
    expect(run.json).toMatchObject({ ok: false, exitCode: 2, error: { name: "UsageError" } });
  });

  it("unknown stack: exit 2 with pulumi's message", async () => {
    const run = await deploy(["--stack", "nope", "--build-id", "b1", "--json"]);
    expectExit(run, 2);
    expect(run.json).toMatchObject({ ok: false, exitCode: 2, stack: "nope", workerName: null, error: { name: "UsageError" } });
    expect(run.json!["error"]["message"]).toContain("no stack named 'nope' found");
    expect(run.requests).toEqual([]);
  });

  it("deployToken output missing: exit 3", async () => {
    const run = await deploy(["--stack", "notoken", "--build-id", "b1"]);
    expectExit(run, 3);
    expect(run.stderr).toContain("output deployToken is missing");
  });

  it("expired deploy token: exit 3 before anything is uploaded", async () => {
    const run = await deploy(["--stack", "expired", "--build-id", "b1"]);
    expectExit(run, 3);
    expect(run.stderr).toMatch(/deploy token .* (expired|is expired)/);
    expect(uploadsOf(run)).toEqual([]);
  });

  it("pending zone: exit 4, naming the nameservers to set", async () => {
    const run = await deploy(["--stack", "pending", "--build-id", "b1"]);
    expectExit(run, 4);
    expect(run.stderr).toContain("ada.ns.cloudflare.com");
    expect(run.stderr).toContain("bob.ns.cloudflare.com");
    expect(run.stderr).toContain("registrar");
    expect(uploadsOf(run)).toEqual([]);
  });

  it("DNS conflict seen by the preflight: exit 4, nothing uploaded, the record untouched", async () => {
    const run = await deploy(["--stack", "conflict", "--build-id", "b1", "--json"]);
    expectExit(run, 4);
    expect(run.json).toMatchObject({ ok: false, exitCode: 4, versionId: null, error: { name: "PreflightError" } });
    expect(run.json!["error"]["message"]).toContain("A 192.0.2.44");
    expect(uploadsOf(run)).toEqual([]);
    expect(endpointsOf(run)).not.toContain(ATTACH);
    expect([...fake.state.dnsRecords.values()]).toContainEqual(expect.objectContaining({ name: "dns.example.com", content: "192.0.2.44" }));
  });

  it("hostname held by another Worker, seen by the preflight: exit 4 naming the holder, nothing uploaded", async () => {
    const run = await deploy(["--stack", "held", "--build-id", "b1"]);
    expectExit(run, 4);
    expect(run.stderr).toContain("another Worker, 'someone-else'");
    expect(run.stderr).toContain("To release it");
    expect(uploadsOf(run)).toEqual([]);
  });

  it("DNS conflict seen only by the attach (--skip-preflight): exit 4, no override, the record untouched", async () => {
    const run = await deploy(["--stack", "conflict2", "--build-id", "b1", "--skip-preflight", "--skip-verify", "--json"]);
    expectExit(run, 4);
    expect(uploadsOf(run)).toHaveLength(1);
    const attach = run.requests.filter((request) => request.endpoint === ATTACH);
    expect(attach).toHaveLength(1);
    // No override flags, and no deprecated `environment` (gone from the current schema; issue #10).
    expect(Object.keys(attach[0]!.body as object).sort()).toEqual(["hostname", "service", "zone_id"]);
    expect(run.json).toMatchObject({ ok: false, exitCode: 4, versionId: expect.any(String), error: { name: "PreflightError" } });
    expect(run.json!["error"]["message"]).toContain("a DNS record already exists");
    expect([...fake.state.dnsRecords.values()]).toContainEqual(
      expect.objectContaining({ name: "dns2.example.com", type: "CNAME", content: "elsewhere.example.net" }),
    );
    expect([...fake.state.workerDomains.values()].map((domain) => domain.hostname)).not.toContain("dns2.example.com");
  });

  it("hostname held by another Worker, seen only by the attach (--skip-preflight): exit 4, still held", async () => {
    const run = await deploy(["--stack", "held2", "--build-id", "b1", "--skip-preflight", "--skip-verify"]);
    expectExit(run, 4);
    expect(run.stderr).toContain("held by another Worker");
    expect(run.requests.filter((request) => request.endpoint === ATTACH)).toHaveLength(1);
    expect([...fake.state.workerDomains.values()]).toContainEqual(
      expect.objectContaining({ hostname: "held2.example.com", service: "someone-else" }),
    );
  });

  it("permission denied on upload: exit 3, not retried", async () => {
    const run = await deploy(["--stack", "denied", "--build-id", "b1", "--retries", "3"]);
    expectExit(run, 3);
    expect(run.stderr).toContain("attempt 1 of 3");
    expect(run.stderr).not.toContain("attempt 2 of 3");
    expect(run.stderr).toContain("Not retried");
    expect(run.requests.filter((request) => request.endpoint === UPLOAD)).toHaveLength(1);
  });

  it("transient failures on every attempt: exit 5 after --retries attempts", async () => {
    fake.failNext(SERVICE, 2, { status: 502 });
    const run = await deploy(["--stack", "down", "--build-id", "b1", "--retries", "2", "--skip-verify"]);
    expectExit(run, 5);
    expect(run.stderr).toContain("after 2 attempt(s)");
    expect(run.requests.filter((request) => request.endpoint === SERVICE)).toHaveLength(2);
    expect(uploadsOf(run)).toEqual([]);
  });

  it("--dry-run: preflight runs, the wrangler command is printed with *** for the token, nothing is uploaded", async () => {
    const run = await deploy(["--stack", "dry", "--build-id", "b1", "--dry-run"]);
    expectExit(run, 0);
    expect(run.stdout).toContain("CLOUDFLARE_API_TOKEN=***");
    expect(run.stdout).toMatch(/wrangler deploy --name perudo-vibe-dry --var BUILD_ID:b1 --var ALLOWED_ORIGINS:https:\/\/app\.example\.com --var TURN_SECONDS:60 --tag b1/);
    expect(run.stdout).toContain("PUT /accounts/");
    expect(run.requests.length).toBeGreaterThan(0);
    expect(run.requests.every((request) => request.method === "GET")).toBe(true);
    expect(fake.state.scripts.has("perudo-vibe-dry")).toBe(false);
  });

  it("every Cloudflare endpoint these runs used is in docs/permissions.md", async ({ annotate }) => {
    await expectEndpointsDocumented(runs.flatMap(endpointsOf), { name: "deploy-failures", annotate });
  });
});
