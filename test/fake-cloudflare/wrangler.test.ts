// The real wrangler CLI (the version pinned in package.json) against the fake: first deploy,
// redeploy, --route, --domain, versions/deployments list, rollback and delete. Runs in one
// sequence, sharing one fake account; the last block re-measures, on a fresh account, what made
// the deploy CLI attach hostnames itself (docs/cloudflare-endpoints.md, last section).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stripJsonc } from "../../scripts/ops/jsonc.ts";
import { PROJECT_ROOT } from "../support/dev-server.ts";
import {
  runWrangler,
  startFakeCloudflare,
  uploadMetadata,
  type FakeCloudflare,
  type RecordedRequest,
  type WranglerResult,
} from "../support/fake-cloudflare/index.ts";

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "a".repeat(32);
const TOKEN = "test-token-for-wrangler-7f3a";
const NAME = "perudo-fake-test";
const MIGRATING = "perudo-fake-migrating";
const UPLOAD = "PUT /accounts/:account_id/workers/scripts/:script_name";
const VERSION_UPLOAD = "POST /accounts/:account_id/workers/scripts/:script_name/versions";
const SECRETS = "GET /accounts/:account_id/workers/scripts/:script_name/secrets";
const GET_WORKER = "GET /accounts/:account_id/workers/workers/:worker_id";
const CHANGESET = "POST /accounts/:account_id/workers/scripts/:script_name/domains/changeset";
const DOMAIN_RECORDS = "PUT /accounts/:account_id/workers/scripts/:script_name/domains/records";
const COMPATIBILITY_DATE = (
  JSON.parse(stripJsonc(readFileSync(path.join(PROJECT_ROOT, "wrangler.jsonc"), "utf8"))) as { compatibility_date: string }
).compatibility_date;

let fake: FakeCloudflare;

beforeAll(async () => {
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: { [TOKEN]: { status: "active" } },
    zones: [{ id: ZONE_ID, name: "example.com", status: "active" }],
    dnsRecords: [{ zoneId: ZONE_ID, name: "play.example.com", type: "A", content: "192.0.2.10", proxied: true }],
    // Already deployed with migration v1, for the "new migration" case.
    scripts: [{ name: MIGRATING, migrationTag: "v1", durableObjectClasses: ["Main"] }],
  });
});

afterAll(async () => {
  await fake?.stop();
});

/** Runs wrangler and returns the requests it made, failing loudly with its output. */
async function wrangler(args: string[]): Promise<{ result: WranglerResult; requests: RecordedRequest[] }> {
  const from = fake.requests.length;
  const result = await runWrangler(fake, args, { token: TOKEN });
  const requests = fake.requests.slice(from);
  if (result.code !== 0) {
    throw new Error(`wrangler ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return { result, requests };
}

function deployArgs(buildId: string, extra: string[] = []): string[] {
  return [
    "deploy",
    "--name",
    NAME,
    "--var",
    `BUILD_ID:${buildId}`,
    "--var",
    "ALLOWED_ORIGINS:https://play.example.com",
    "--var",
    "TURN_SECONDS:45",
    "--tag",
    buildId,
    "--message",
    `deploy ${buildId}`,
    "--minify",
    ...extra,
  ];
}

// Each wrangler run takes 4-15 s on this shared machine; give each step room.
describe("real wrangler deploy against the fake", { timeout: 180_000 }, () => {
  it("first deploy uploads the Worker with the DO binding, migration v1, vars and tag", async () => {
    const { requests, result } = await wrangler(deployArgs("build-1"));
    expect(result.stdout).toContain("Current Version ID:");

    const uploads = requests.filter((request) => request.endpoint === UPLOAD);
    expect(uploads).toHaveLength(1);
    const upload = uploads[0]!;
    expect(upload.path).toBe(`/accounts/${ACCOUNT_ID}/workers/scripts/${NAME}`);
    const metadata = uploadMetadata(upload)!;
    expect(metadata["main_module"]).toBe("index.js");
    expect(metadata["migrations"]).toEqual({ new_tag: "v1", steps: [{ new_sqlite_classes: ["Main"] }] });
    expect(metadata["bindings"]).toEqual(
      expect.arrayContaining([
        { name: "Main", type: "durable_object_namespace", class_name: "Main" },
        { name: "BUILD_ID", type: "plain_text", text: "build-1" },
        { name: "ALLOWED_ORIGINS", type: "plain_text", text: "https://play.example.com" },
        { name: "TURN_SECONDS", type: "plain_text", text: "45" },
      ]),
    );
    // The edge rate limits travel in the same upload (no other API call, no other permission).
    expect(metadata["bindings"]).toEqual(
      expect.arrayContaining([
        { name: "UPGRADES_PER_IP", type: "ratelimit", namespace_id: "1301", simple: { limit: 60, period: 60 } },
        { name: "UPGRADES_PER_ROOM", type: "ratelimit", namespace_id: "1302", simple: { limit: 128, period: 60 } },
        { name: "SUMMARIES_PER_IP", type: "ratelimit", namespace_id: "1303", simple: { limit: 120, period: 60 } },
        { name: "SUMMARIES_PER_ROOM", type: "ratelimit", namespace_id: "1304", simple: { limit: 600, period: 60 } },
        { name: "MAX_CONNECTIONS_PER_ROOM", type: "plain_text", text: "64" },
      ]),
    );
    expect(metadata["annotations"]).toEqual({ "workers/tag": "build-1", "workers/message": "deploy build-1" });
    expect(metadata["compatibility_date"]).toBe(COMPATIBILITY_DATE);
    const mainModule = upload.parts!.find((part) => part.name === "index.js")!;
    expect(mainModule.contentType).toBe("application/javascript+module");
    expect(mainModule.text).toContain("perudo-vibe");

    const script = fake.state.scripts.get(NAME)!;
    expect(script.migrationTag).toBe("v1");
    expect(script.subdomain).toEqual({ enabled: false, previews_enabled: false });
    // Calls the newer wrangler added: the secrets a --var would shadow (10007 = first deploy, fine)
    // and the Worker's workers.dev state through the Workers API (was GET .../subdomain).
    const endpoints = requests.map((request) => request.endpoint);
    expect(endpoints).toContain(SECRETS);
    expect(endpoints).toContain(GET_WORKER);
    expect(fake.unhandled).toEqual([]);
    // Every request carried exactly the token wrangler was given.
    expect(new Set(requests.map((request) => request.headers["authorization"]))).toEqual(
      new Set([`Bearer ${TOKEN}`]),
    );
  });

  it("redeploy uses the versions API, sends no migrations, and survives one 500 (failNext)", async () => {
    fake.failNext(VERSION_UPLOAD, 1, { status: 500 });
    const { requests } = await wrangler(deployArgs("build-2"));

    // wrangler read the migration tag (GET .../services/:name: default_environment.script) and
    // found nothing new to send.
    expect(requests.map((request) => request.endpoint)).toContain(
      "GET /accounts/:account_id/workers/services/:script_name",
    );
    expect(requests.some((request) => request.endpoint === UPLOAD)).toBe(false);
    const versionUploads = requests.filter((request) => request.endpoint === VERSION_UPLOAD);
    expect(versionUploads).toHaveLength(2); // the injected 500, then wrangler's retry
    const metadata = uploadMetadata(versionUploads[1]!)!;
    expect(metadata["migrations"]).toBeUndefined();
    expect(metadata["annotations"]).toEqual({ "workers/tag": "build-2", "workers/message": "deploy build-2" });

    const deploymentPost = requests.find(
      (request) => request.endpoint === "POST /accounts/:account_id/workers/scripts/:script_name/deployments",
    )!;
    expect(deploymentPost.body).toMatchObject({ strategy: "percentage", annotations: { "workers/message": "deploy build-2" } });
    const script = fake.state.scripts.get(NAME)!;
    expect(script.versions).toHaveLength(2);
    expect(script.deployments.at(-1)!.versions).toEqual([{ version_id: script.versions[1]!.id, percentage: 100 }]);
    expect(script.migrationTag).toBe("v1");
  });

  it("--route creates the route in the zone it looked up", async () => {
    const { requests } = await wrangler(deployArgs("build-3", ["--route", "game.example.com/*"]));
    const zoneLookups = requests.filter((request) => request.endpoint === "GET /zones").map((request) => request.query);
    expect(zoneLookups).toContainEqual({ name: "example.com", "account.id": ACCOUNT_ID });
    expect(requests.find((request) => request.endpoint.endsWith("/workers/scripts/:script_name/routes"))?.body).toEqual([
      { pattern: "game.example.com/*" },
    ]);
    expect([...fake.state.routes.values()]).toEqual([
      expect.objectContaining({ zoneId: ZONE_ID, pattern: "game.example.com/*", script: NAME }),
    ]);
  });

  it("--domain without a TTY sends override_existing_dns_record and override_existing_origin = true", async () => {
    // This measured behaviour is why our deploy CLI attaches Custom Domains itself and never
    // passes --domain: wrangler would silently replace play.example.com's existing A record.
    const { requests } = await wrangler(deployArgs("build-4", ["--domain", "play.example.com"]));
    // Newer wrangler first asks for a changeset (a dry run) even without a terminal, but still
    // skips every prompt and sends both override flags.
    const changeset = requests.find((request) => request.endpoint === CHANGESET);
    expect(changeset?.query).toEqual({ replace_state: "true" });
    expect(changeset?.body).toEqual([{ hostname: "play.example.com" }]);
    const publish = requests.find((request) => request.endpoint === DOMAIN_RECORDS)!;
    expect(publish.body).toEqual({
      override_scope: true,
      override_existing_origin: true,
      override_existing_dns_record: true,
      origins: [{ hostname: "play.example.com" }],
    });
    expect([...fake.state.workerDomains.values()]).toEqual([
      expect.objectContaining({ hostname: "play.example.com", service: NAME, zoneId: ZONE_ID }),
    ]);
    const records = [...fake.state.dnsRecords.values()].filter((record) => record.name === "play.example.com");
    expect(records).toEqual([expect.objectContaining({ type: "AAAA", content: "100::", proxied: true })]);
  });

  it("versions list and deployments list read back what was deployed", async () => {
    const versions = await wrangler(["versions", "list", "--name", NAME, "--json"]);
    const listed = JSON.parse(versions.result.stdout) as { id: string; annotations: Record<string, string> }[];
    expect(listed.map((version) => version.annotations["workers/tag"])).toEqual([
      "build-1",
      "build-2",
      "build-3",
      "build-4",
    ]);

    const deployments = await wrangler(["deployments", "list", "--name", NAME]);
    expect(deployments.result.stdout).toContain("deploy build-4");
    expect(deployments.requests.map((request) => request.endpoint)).toContain(
      "GET /accounts/:account_id/workers/scripts/:script_name/versions/:version_id",
    );
  });

  it("rollback to a version id creates a 100% deployment of it", async () => {
    const first = fake.state.scripts.get(NAME)!.versions[0]!;
    const { result } = await wrangler(["rollback", first.id, "--name", NAME, "--message", "bad build", "-y"]);
    expect(result.stdout).toContain(`Worker Version ${first.id} has been deployed to 100% of traffic`);
    const latest = fake.state.scripts.get(NAME)!.deployments.at(-1)!;
    expect(latest.versions).toEqual([{ version_id: first.id, percentage: 100 }]);
    expect(latest.annotations).toMatchObject({ "workers/triggered_by": "rollback", "workers/message": "bad build" });
  });

  it("a new migration tag goes back to PUT with old_tag = the tag read from the scripts list", async () => {
    // This repo's config plus a v2 migration, in a temp dir (main points back at party/index.ts).
    const dir = mkdtempSync(path.join(tmpdir(), "fake-cf-migration-"));
    try {
      const config = path.join(dir, "wrangler.json");
      writeFileSync(
        config,
        JSON.stringify({
          name: MIGRATING,
          main: path.join(PROJECT_ROOT, "party/index.ts"),
          compatibility_date: COMPATIBILITY_DATE,
          workers_dev: false,
          preview_urls: false,
          durable_objects: { bindings: [{ name: "Main", class_name: "Main" }] },
          migrations: [
            { tag: "v1", new_sqlite_classes: ["Main"] },
            { tag: "v2", new_sqlite_classes: ["Extra"] },
          ],
        }),
      );
      const { requests } = await wrangler(["deploy", "--config", config]);
      const upload = requests.find((request) => request.endpoint === UPLOAD);
      expect(upload, "expected a PUT upload, not the versions API").toBeDefined();
      expect(uploadMetadata(upload!)!["migrations"]).toEqual({
        old_tag: "v1",
        new_tag: "v2",
        steps: [{ new_sqlite_classes: ["Extra"] }],
      });
      expect(fake.state.scripts.get(MIGRATING)!.migrationTag).toBe("v2");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("delete --force removes the Worker, its route, Custom Domain and that domain's DNS record", async () => {
    const { requests } = await wrangler(["delete", "--name", NAME, "--force"]);
    expect(requests.map((request) => `${request.endpoint} ${JSON.stringify(request.query)}`)).toContain(
      'DELETE /accounts/:account_id/workers/services/:script_name {"force":"true"}',
    );
    expect(fake.state.scripts.has(NAME)).toBe(false);
    expect(fake.state.routes.size).toBe(0);
    expect(fake.state.workerDomains.size).toBe(0);
    expect([...fake.state.dnsRecords.values()].filter((record) => record.name === "play.example.com")).toEqual([]);
    expect(fake.unhandled).toEqual([]);
  });
});

// Re-measured on every wrangler bump: why the deploy CLI never passes --domain (one fresh account).
describe("wrangler --domain without a terminal, re-measured", { timeout: 180_000 }, () => {
  const WORKER = "perudo-domains-test";
  const SHADOWED = "perudo-secret-test";
  let account: FakeCloudflare;

  beforeAll(async () => {
    account = await startFakeCloudflare({
      accountId: ACCOUNT_ID,
      tokens: { [TOKEN]: { status: "active" } },
      zones: [{ id: ZONE_ID, name: "example.com", status: "active" }],
      dnsRecords: [{ zoneId: ZONE_ID, name: "taken.example.com", type: "CNAME", content: "origin.example.net", proxied: true }],
      scripts: [
        { name: "someone-else", workersDev: false },
        { name: SHADOWED, migrationTag: "v1", durableObjectClasses: ["Main"], secretNames: ["ALLOWED_ORIGINS"] },
      ],
      workerDomains: [{ hostname: "theirs.example.com", service: "someone-else", zoneId: ZONE_ID }],
    });
  });

  afterAll(async () => {
    await account?.stop();
  });

  async function deploy(name: string, extra: string[]): Promise<{ result: WranglerResult; requests: RecordedRequest[] }> {
    const from = account.requests.length;
    const result = await runWrangler(account, ["deploy", "--name", name, "--var", "ALLOWED_ORIGINS:", "--minify", ...extra], { token: TOKEN });
    return { result, requests: account.requests.slice(from) };
  }

  function domainsOf(service: string): string[] {
    return [...account.state.workerDomains.values()].filter((domain) => domain.service === service).map((domain) => domain.hostname).sort();
  }

  it("takes another Worker's hostname and replaces a CNAME, silently", async () => {
    const { result, requests } = await deploy(WORKER, ["--domain", "theirs.example.com", "--domain", "taken.example.com"]);
    expect(result.code, result.stderr).toBe(0);
    // The changeset reported both conflicts; nothing was asked and nothing refused.
    const publish = requests.find((request) => request.endpoint === DOMAIN_RECORDS);
    expect(publish?.body).toMatchObject({ override_scope: true, override_existing_origin: true, override_existing_dns_record: true });
    expect(domainsOf(WORKER)).toEqual(["taken.example.com", "theirs.example.com"]);
    expect(domainsOf("someone-else")).toEqual([]);
    const records = [...account.state.dnsRecords.values()].filter((record) => record.name === "taken.example.com");
    expect(records.map((record) => record.type)).toEqual(["AAAA"]);
  });

  it("treats --domain as the complete list: a deploy with one --domain detaches the others", async () => {
    const { result } = await deploy(WORKER, ["--domain", "theirs.example.com"]);
    expect(result.code, result.stderr).toBe(0);
    expect(domainsOf(WORKER)).toEqual(["theirs.example.com"]);
  });

  it("warns about a --var named like one of the Worker's secrets, then deploys the var anyway (new check)", async () => {
    const { result, requests } = await deploy(SHADOWED, []);
    expect(result.code, result.stderr).toBe(0);
    expect(requests.map((request) => request.endpoint)).toContain(SECRETS);
    // Its "Would you like to continue?" takes the default without a terminal.
    expect(result.stderr + result.stdout).toMatch(/ALLOWED_ORIGINS/);
    const upload = requests.find((request) => request.endpoint === VERSION_UPLOAD || request.endpoint === UPLOAD);
    expect(uploadMetadata(upload!)!["bindings"]).toContainEqual({ name: "ALLOWED_ORIGINS", type: "plain_text", text: "" });
    expect(account.unhandled).toEqual([]);
  });
});
