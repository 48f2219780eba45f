// npm run rollback end to end: fake pulumi -> our command -> real `wrangler deployments/versions
// list` and `wrangler rollback` against the fake Cloudflare API -> verification against a real
// local Worker serving the target build. The "rollback across a Durable Object migration" path
// injects Cloudflare's refusal and checks the redeploy from a git worktree with real wrangler.
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../../scripts/lib/process.ts";
import { PROJECT_ROOT, startDevServer, type DevServer } from "../support/dev-server.ts";
import { startFakeCloudflare, type FakeCloudflare } from "../support/fake-cloudflare/index.ts";
import { ACCOUNT_ID, DEPLOY_TOKEN, ZONE, ZONE_ID, deployBuild, leakedSecrets, pulumiState, runOps, stackOutputs } from "./support/harness.ts";

const WORKER = "perudo-vibe-staging";
const DEPLOYMENTS = "POST /accounts/:account_id/workers/scripts/:script_name/deployments";
let fake: FakeCloudflare;
let dev: DevServer;
let state: string;
let oldSha: string;
let oldBuild: string;
let newBuild: string;
let oldVersion: string;

const git = async (...args: string[]) => (await runCommand("git", args, { cwd: PROJECT_ROOT })).stdout.trim();
const script = () => fake.state.scripts.get(WORKER)!;
const liveVersion = () => script().deployments.at(-1)!.versions.find((v) => v.percentage === 100)!.version_id;
const tagOf = (versionId: string) => script().versions.find((v) => v.id === versionId)!.annotations["workers/tag"];

beforeAll(async () => {
  // Two real commits, so git refs resolve: the older one is the rollback target.
  oldSha = await git("rev-parse", "HEAD~1");
  oldBuild = await git("rev-parse", "--short", oldSha);
  newBuild = await git("rev-parse", "--short", "HEAD");
  fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: { [DEPLOY_TOKEN]: { status: "active", kind: "account", expiresOn: new Date(Date.now() + 90 * 86_400_000).toISOString() } },
    zones: [{ id: ZONE_ID, name: ZONE, status: "active" }],
  });
  oldVersion = await deployBuild(fake, WORKER, oldBuild);
  await deployBuild(fake, WORKER, newBuild);
  state = pulumiState({ staging: stackOutputs("staging") });
  // What the host answers once the rollback has happened: the old build.
  dev = await startDevServer({ vars: { BUILD_ID: oldBuild } });
}, 240_000);

afterAll(async () => {
  await dev?.stop();
  await fake?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

const run = (args: string[]) =>
  runOps("rollback", args, { fake, pulumiState: state, env: { DEPLOY_VERIFY_URL: dev.url }, timeoutMs: 240_000 });

describe("npm run rollback", { timeout: 240_000 }, () => {
  it("--help explains the command", async () => {
    const result = await run(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: npm run rollback -- --stack <name> [--to <version id | git ref>]");
  });

  it("--dry-run prints the plan and changes nothing", async () => {
    const before = script().deployments.length;
    const result = await run(["--stack", "staging", "--dry-run"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`to ${oldVersion} (build ${oldBuild}) with wrangler rollback`);
    expect(script().deployments.length).toBe(before);
  });

  it("goes back to the previous version with wrangler rollback, verifies, and says which build is live", async () => {
    const result = await run(["--stack", "staging", "--json"]);
    expect(result.stderr).not.toMatch(/UNHANDLED/);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, method: "wrangler-rollback", versionId: oldVersion, build: oldBuild, verifiedAt: dev.url });
    expect(liveVersion()).toBe(oldVersion);
    expect(script().deployments.at(-1)!.annotations["workers/triggered_by"]).toBe("rollback");
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it("across a Durable Object migration (Cloudflare refuses), redeploys the git ref from a worktree", async () => {
    await deployBuild(fake, WORKER, newBuild); // the new build is live again
    const versionsBefore = script().versions.length;
    fake.failNext(DEPLOYMENTS, 1, {
      status: 400,
      code: 10211,
      message: "Cannot rollback to a version with a different Durable Object migration state; deploy a new version instead.",
    });
    const result = await run(["--stack", "staging", "--to", oldSha.slice(0, 10), "--json"]);
    expect(result.stderr).not.toMatch(/UNHANDLED/);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: true, method: "redeploy", build: oldBuild, ref: oldSha, verifiedAt: dev.url });
    expect(report.notes.join("\n")).toContain("a Durable Object migration lies between the versions");
    // A new version, built from the old commit, now serves.
    expect(script().versions.length).toBe(versionsBefore + 1);
    expect(liveVersion()).toBe(report.versionId);
    expect(tagOf(report.versionId)).toBe(oldBuild);
    expect(result.stderr).toContain(`(${oldBuild}) into`);
    // The worktree is gone.
    expect(await git("worktree", "list")).not.toContain("perudo-rollback-");
    expect(leakedSecrets(result.stdout, result.stderr)).toEqual([]);
  });

  it("exits 4 when Cloudflare refuses and the version records no git commit", async () => {
    const manual = await deployBuild(fake, WORKER, "manual-build");
    await deployBuild(fake, WORKER, newBuild);
    fake.failNext(DEPLOYMENTS, 1, { status: 400, code: 10211, message: "Durable Object migration between versions" });
    const result = await run(["--stack", "staging", "--to", manual]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("a Durable Object migration lies between it and the current version");
    expect(result.stderr).toContain("--to <tag or sha>");
  });

  it("recognises the refusal the fake models from the migration tags (100140), with no injected failure", async () => {
    const manual = await deployBuild(fake, WORKER, "manual-build-2");
    await deployBuild(fake, WORKER, newBuild);
    // That version was uploaded before a Durable Object migration the current one has.
    script().versions.find((v) => v.id === manual)!.migrationTag = "v0-before-migration";
    const result = await run(["--stack", "staging", "--to", manual]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("[code: 100140]");
    expect(result.stderr).toContain("a Durable Object migration lies between it and the current version");
  });

  it("exits 2 for a ref git does not know and for a version that is not the Worker's", async () => {
    const ref = await run(["--stack", "staging", "--to", "no-such-tag-xyz"]);
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain("--to no-such-tag-xyz is neither a version id of this Worker nor a commit git knows here");
    const version = await run(["--stack", "staging", "--to", "00000000-0000-4000-8000-000000000000"]);
    expect(version.code).toBe(2);
    expect(version.stderr).toContain("is not among the Worker's latest versions");
  });

  it("used only the stack's scoped token", () => {
    const used = new Set(fake.requests.map((r) => r.headers["authorization"]));
    expect(used).toEqual(new Set([`Bearer ${DEPLOY_TOKEN}`]));
    expect(readFileSync(`${state}/calls.jsonl`, "utf8")).toContain('"output"');
  });
});
