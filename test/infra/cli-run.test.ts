// Loads infra/ the way `pulumi preview` / `pulumi up` do: through @pulumi/pulumi's cmd/run (what
// the CLI's Node language host executes), with the CLI's config handling, against a fake engine
// and resource monitor served over gRPC on 127.0.0.1. Proves the program runs as written with
// this repo's package.json ("type": "module") and Pulumi.yaml: as TypeScript that Node runs
// natively (type stripping), with no ts-node and no TypeScript compiler.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PERMISSION_GROUPS } from "./support/cloudflare-mocks.ts";
import { FakePulumiEngine, Secret } from "./support/fake-engine.ts";
import {
  loadProject,
  loadStackConfig,
  programLocation,
  resolveStackConfig,
  runLikeLanguageHost,
  stopAllPrograms,
  type ProjectFile,
  type RunResult,
} from "./support/language-host.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ZONE_ID = "9a7806061c88ada191ed06f989cc3dac";
const NUDGE = 32; // cmd/run's exit code for "error already shown to the user"
const RUN_MS = 150_000;

let project: ProjectFile;
let engine: FakePulumiEngine | undefined;

beforeAll(() => {
  project = loadProject(ROOT);
});

afterEach(async () => {
  stopAllPrograms();
  await engine?.stop();
  engine = undefined;
});

afterAll(() => stopAllPrograms());

async function run(
  stack: string,
  overrides: Record<string, unknown> = {},
  options: {
    dryRun?: boolean;
    zones?: { id: string; name: string }[];
    groups?: typeof PERMISSION_GROUPS;
  } = {},
): Promise<{ engine: FakePulumiEngine; result: RunResult }> {
  const resolved = resolveStackConfig(project, { ...loadStackConfig(ROOT, stack), ...overrides }, stack);
  if (!resolved.ok) throw new Error(resolved.error);
  engine = new FakePulumiEngine({
    stack,
    project: project.name,
    zones: options.zones ?? [{ id: ZONE_ID, name: "example.com" }],
    permissionGroups: options.groups ?? PERMISSION_GROUPS,
  });
  await engine.start();
  const result = await runLikeLanguageHost({
    root: ROOT,
    project,
    stack,
    config: resolved.config,
    monitorAddress: engine.address,
    engineAddress: engine.address,
    dryRun: options.dryRun ?? false,
    timeoutMs: RUN_MS - 10_000,
  });
  return { engine, result };
}

function describeRun({ engine, result }: { engine: FakePulumiEngine; result: RunResult }): string {
  return [
    `exit ${result.code}${result.timedOut ? " (timed out)" : ""}`,
    `stderr:\n${result.stderr}`,
    `stdout:\n${result.stdout}`,
    `engine log:\n${engine.logs.map((entry) => `[${entry.severity}] ${entry.message}`).join("\n")}`,
  ].join("\n");
}

describe("the project layout the CLI relies on", () => {
  it("is a TypeScript nodejs project whose program is infra/index.ts", () => {
    expect(project.name).toBe("perudo-vibe");
    expect(typeof project.runtime === "object" && project.runtime.name).toBe("nodejs");
    const { pwd, entryPoint } = programLocation(ROOT, project);
    expect(pwd).toBe(path.join(ROOT, "infra"));
    // An explicit file: with "." (main: infra/) cmd/run would run package.json's main/exports instead.
    expect(entryPoint).toBe("index.ts");
    expect(readFileSync(path.join(pwd, "index.ts"), "utf8")).toContain("export default");
  });

  it("is an ES module package whose TypeScript Node runs itself: no ts-node", () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(manifest.type).toBe("module");
    // typescript: false keeps cmd/run from registering ts-node; it then import()s index.ts, which
    // Node >= 22.18 loads by stripping the types (with true, a missing ts-node fails the run).
    const options = typeof project.runtime === "object" ? project.runtime.options ?? {} : {};
    expect(options["typescript"]).toBe(false);
    expect({ ...manifest.dependencies, ...manifest.devDependencies }).not.toHaveProperty("ts-node");
  });

  it("declares every key the program reads, and the CLI requires exactly accountId, zone and domain", async () => {
    const { CONFIG_KEYS } = await import("../../infra/config.ts");
    expect(Object.keys(project.config ?? {}).sort()).toEqual([...CONFIG_KEYS].sort());
    for (const declaration of Object.values(project.config ?? {})) expect(declaration.description).toBeTruthy();
    const empty = resolveStackConfig(project, {}, "dev");
    expect(empty).toEqual({ ok: false, error: "Stack 'dev' is missing configuration values 'accountId', 'domain' and 'zone'" });
  });

  it("accepts both example stack files as the CLI would (types and defaults)", () => {
    for (const stack of ["staging", "prod"]) {
      const resolved = resolveStackConfig(project, loadStackConfig(ROOT, stack), stack);
      expect(resolved, stack).toMatchObject({ ok: true });
    }
  });
});

describe("pulumi up, as the language host runs it", () => {
  it("runs the staging example as native TypeScript: resources, invokes and stack outputs", async () => {
    const run_ = await run("staging");
    const { engine, result } = run_;
    expect(result.code, describeRun(run_)).toBe(0);
    expect(engine.errors()).toEqual([]);
    expect(result.stderr).not.toMatch(/error/i);
    // Type stripping is stable on the pinned Node: no ExperimentalWarning on the operator's screen.
    expect(result.stderr).not.toMatch(/warning/i);

    const types = engine.resources.map((resource) => `${resource.type}::${resource.name}`);
    expect(types).toEqual(
      expect.arrayContaining([
        "pulumi:pulumi:Stack::perudo-vibe-staging",
        "perudo-vibe:index:PerudoStack::perudo-vibe",
        "perudo-vibe:index:DeployToken::perudo-vibe-deploy-token",
        "pulumi:index:Stash::perudo-vibe-deploy-token-issued-at",
        "cloudflare:index/accountToken:AccountToken::perudo-vibe-deploy-token-token",
        "cloudflare:index/dnsRecord:DnsRecord::perudo-vibe-frontend-record",
      ]),
    );
    expect(types).toHaveLength(6);
    // custom-domain: nothing at the backend hostname.
    const records = engine.ofType("cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((record) => record.inputs["name"])).toEqual(["play-staging.example.com"]);
    expect(engine.resources.every((resource) => !resource.protect)).toBe(true);

    expect(engine.invokes.map((invoke) => invoke.token).sort()).toEqual([
      "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList",
      "cloudflare:index/getZones:getZones",
    ]);
    expect(engine.invokes.find((invoke) => invoke.token.endsWith("getZones"))!.args).toMatchObject({
      name: "example.com",
      account: { id: "0123456789abcdef0123456789abcdef" },
    });

    const [token] = engine.ofType("cloudflare:index/accountToken:AccountToken");
    expect(token!.inputs).toMatchObject({ name: "perudo-vibe-staging-deploy", accountId: "0123456789abcdef0123456789abcdef" });
    const policies = token!.inputs["policies"] as { resources: string; permissionGroups: { id: string }[] }[];
    expect(policies.map((policy) => JSON.parse(policy.resources))).toEqual([
      { "com.cloudflare.api.account.0123456789abcdef0123456789abcdef": "*" },
      { [`com.cloudflare.api.account.zone.${ZONE_ID}`]: "*" },
    ]);
    expect(policies.map((policy) => policy.permissionGroups.length)).toEqual([3, 2]);
    const [stash] = engine.ofType("pulumi:index:Stash");
    expect(stash!.ignoreChanges).toEqual(["input"]);

    const outputs = engine.stackOutputs!;
    expect(outputs, describeRun(run_)).toBeDefined();
    expect(Object.keys(outputs).sort()).toEqual(
      [
        "accountId",
        "allowedOrigins",
        "deployToken",
        "deployTokenExpiresOn",
        "domain",
        "environment",
        "healthUrl",
        "host",
        "routing",
        "turnSeconds",
        "maxConnectionsPerRoom",
        "websocketUrl",
        "workerName",
        "zoneId",
        "zoneName",
      ].sort(),
    );
    expect(outputs).toMatchObject({
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: ZONE_ID,
      zoneName: "example.com",
      domain: "party-staging.example.com",
      host: "party-staging.example.com",
      routing: "custom-domain",
      environment: "staging",
      workerName: "perudo-vibe-staging",
      websocketUrl: "wss://party-staging.example.com/parties/main",
      healthUrl: "https://party-staging.example.com/health",
      allowedOrigins: ["https://play-staging.example.com"],
      turnSeconds: 60,
      maxConnectionsPerRoom: 64,
    });
    expect(outputs["deployToken"]).toEqual(new Secret("token-secret-perudo-vibe-deploy-token-token"));
    expect(String(outputs["deployTokenExpiresOn"])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(engine.shutdownSignalled).toBe(true);
  }, RUN_MS);

  it("previews the prod example: route record and protection, IP condition, created nothing else", async () => {
    const run_ = await run("prod", {}, { dryRun: true });
    const { engine, result } = run_;
    expect(result.code, describeRun(run_)).toBe(0);
    const records = engine.ofType("cloudflare:index/dnsRecord:DnsRecord");
    expect(records.map((record) => [record.inputs["name"], record.inputs["type"], record.protect])).toEqual([
      ["party.example.com", "AAAA", true],
      ["play.example.com", "CNAME", true],
    ]);
    expect(records[0]!.inputs).toMatchObject({ content: "100::", proxied: true, ttl: 1 });
    const [token] = engine.ofType("cloudflare:index/accountToken:AccountToken");
    expect(token!.protect).toBe(false);
    expect(token!.inputs["condition"]).toEqual({ requestIp: { ins: ["203.0.113.0/24"] } });
    const policies = token!.inputs["policies"] as { permissionGroups: { id: string }[] }[];
    expect(policies.map((policy) => policy.permissionGroups.length)).toEqual([3, 3]);
    expect(engine.stackOutputs).toMatchObject({ environment: "prod", routing: "route" });
  }, RUN_MS);

  it("creates the zone and exports its nameservers with createZone", async () => {
    const run_ = await run("staging", { "perudo-vibe:createZone": true }, { zones: [] });
    expect(run_.result.code, describeRun(run_)).toBe(0);
    expect(run_.engine.ofType("cloudflare:index/zone:Zone")).toHaveLength(1);
    expect(run_.engine.invokes.map((invoke) => invoke.token)).not.toContain("cloudflare:index/getZones:getZones");
    expect(run_.engine.stackOutputs!["nameservers"]).toEqual(["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]);
  }, RUN_MS);
});

describe("failures an operator must fix print one message, no stack trace", () => {
  function expectUserError(run_: { engine: FakePulumiEngine; result: RunResult }, ...needles: string[]) {
    const { engine, result } = run_;
    expect(result.code, describeRun(run_)).toBe(NUDGE);
    const errors = engine.errors();
    expect(errors, describeRun(run_)).toHaveLength(1);
    for (const needle of needles) expect(errors[0]).toContain(needle);
    expect(errors[0]).not.toMatch(/\n\s+at /);
    expect(errors[0]).not.toMatch(/unhandled exception/i);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return errors[0]!;
  }

  it("a bad config value: names the key and the fix, before any resource", async () => {
    const run_ = await run("staging", { "perudo-vibe:domain": "party.example.org" }, { dryRun: true });
    expectUserError(run_, "perudo-vibe:domain", "not inside the zone", "pulumi config set perudo-vibe:domain party.example.com");
    expect(run_.engine.resources.map((resource) => resource.type)).toEqual(["pulumi:pulumi:Stack"]);
  }, RUN_MS);

  it("a zone missing from the account: says so and how to create it", async () => {
    const run_ = await run("staging", {}, { dryRun: true, zones: [] });
    expectUserError(run_, 'Zone "example.com" was not found', "pulumi config set perudo-vibe:createZone true");
  }, RUN_MS);

  it("a permission group Cloudflare no longer lists: names it", async () => {
    const groups = PERMISSION_GROUPS.filter((group) => group.name !== "Workers Tail Read");
    const run_ = await run("staging", {}, { dryRun: true, groups });
    expectUserError(run_, '"Workers Tail Read" (account scope)', "infra/permissions.ts");
  }, RUN_MS);
});
