// The security rules our GitHub Actions workflows must keep, as a pure function over a parsed
// workflow: it returns the violations it finds (empty = compliant), so the same rules are
// tested against the real files and against small bad examples.
import { parse } from "yaml";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mapping = { [key: string]: Json };

export interface WorkflowFile {
  /** Path, for messages. */
  path: string;
  /** Raw text: pin comments live there, not in the parsed tree. */
  text: string;
}

export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Mapping;
  env?: Mapping;
}

export interface Job {
  id: string;
  raw: Mapping;
  steps: Step[];
}

/** Secrets a workflow may reference, by name. */
export const ALLOWED_SECRETS = ["PULUMI_ACCESS_TOKEN", "CLOUDFLARE_API_TOKEN"] as const;

/** Commands that use the stack's scoped token and must never see the bootstrap token. */
const SCOPED_TOKEN_COMMAND = /npm run (deploy|rollback|status|teardown)\b/;

const PULL_REQUEST_TRIGGERS = ["pull_request", "pull_request_target"];

function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function parseWorkflow(file: WorkflowFile): Mapping {
  const tree: unknown = parse(file.text);
  if (!isMapping(tree)) throw new Error(`${file.path}: not a YAML mapping`);
  return tree;
}

/** The `on:` triggers as a list of event names. */
export function triggers(workflow: Mapping): string[] {
  const on = workflow["on"];
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.filter((v): v is string => typeof v === "string");
  if (isMapping(on)) return Object.keys(on);
  return [];
}

export function jobs(workflow: Mapping): Job[] {
  const all = workflow["jobs"];
  if (!isMapping(all)) return [];
  return Object.entries(all).flatMap(([id, raw]) => {
    if (!isMapping(raw)) return [];
    const steps = Array.isArray(raw["steps"]) ? raw["steps"].filter(isMapping) : [];
    return [{ id, raw, steps: steps as Step[] }];
  });
}

/** Every `npm run X` / `npm test` a workflow calls, as script names. */
export function npmScriptsCalled(workflow: Mapping): string[] {
  const names = new Set<string>();
  for (const job of jobs(workflow)) {
    for (const step of job.steps) {
      if (typeof step.run !== "string") continue;
      for (const match of step.run.matchAll(/\bnpm run(?:-script)? +([\w:.-]+)/g)) names.add(match[1]!);
      if (/\bnpm (test|t)\b/.test(step.run)) names.add("test");
      if (/\bnpm start\b/.test(step.run)) names.add("start");
    }
  }
  return [...names].sort();
}

/** The stacks a job acts on: `--stack X`, `stack-name: X`, or a dispatch input's options. */
export function stacksTouched(workflow: Mapping, job: Job): string[] {
  const stacks = new Set<string>();
  for (const step of job.steps) {
    const stackName = step.with?.["stack-name"];
    if (typeof stackName === "string") stacks.add(stackName);
    if (typeof step.run === "string") {
      for (const match of step.run.matchAll(/--stack[ =]+"?([\w$./-]+)"?/g)) stacks.add(match[1]!);
    }
  }
  // `--stack "$STACK"` fed from a workflow_dispatch choice: every option counts.
  if ([...stacks].some((s) => s.startsWith("$"))) {
    const on = workflow["on"];
    const dispatch = isMapping(on) ? on["workflow_dispatch"] : undefined;
    const inputs = isMapping(dispatch) ? dispatch["inputs"] : undefined;
    const stackInput = isMapping(inputs) ? inputs["stack"] : undefined;
    const options = isMapping(stackInput) ? stackInput["options"] : undefined;
    if (Array.isArray(options)) for (const o of options) if (typeof o === "string") stacks.add(o);
  }
  // "org/prod" is the prod stack of another Pulumi organisation: judge it by its last segment.
  return [...new Set([...stacks].filter((s) => !s.startsWith("$")).map((s) => s.split("/").at(-1)!))];
}

function changesAStack(job: Job): boolean {
  return job.steps.some(
    (step) =>
      (typeof step.run === "string" &&
        (/npm run (deploy|rollback|teardown)\b/.test(step.run) || /pulumi (up|destroy)\b/.test(step.run))) ||
      (typeof step.uses === "string" &&
        step.uses.startsWith("pulumi/actions@") &&
        ["up", "update", "destroy"].includes(String(step.with?.["command"] ?? ""))),
  );
}

function environmentName(job: Job): string | undefined {
  const environment = job.raw["environment"];
  if (typeof environment === "string") return environment;
  if (isMapping(environment) && typeof environment["name"] === "string") return environment["name"];
  return undefined;
}

/** Every rule, checked; returns human-readable violations. */
export function checkWorkflow(file: WorkflowFile): string[] {
  const problems: string[] = [];
  const report = (message: string) => problems.push(`${file.path}: ${message}`);
  const workflow = parseWorkflow(file);
  const on = triggers(workflow);

  if (on.includes("pull_request_target")) {
    report("uses pull_request_target, which runs with secrets on untrusted code");
  }

  // GITHUB_TOKEN: least privilege, stated at the top and on every job.
  const topPermissions = workflow["permissions"];
  if (topPermissions === undefined) report("no top-level permissions block");
  for (const job of jobs(workflow)) {
    const permissions = job.raw["permissions"];
    if (permissions === undefined) report(`job ${job.id} has no permissions block`);
    for (const granted of [topPermissions, permissions]) {
      if (typeof granted === "string" && granted !== "read-all" && granted !== "{}") {
        report(`job ${job.id}: permissions "${granted}" is broader than needed`);
      }
      if (isMapping(granted)) {
        for (const [scope, level] of Object.entries(granted)) {
          const allowedWrite = scope === "pull-requests" && on.includes("pull_request");
          if (level === "write" && !allowedWrite) report(`job ${job.id}: ${scope}: write is not needed`);
        }
      }
    }
  }

  // Actions pinned to a full commit SHA, with the version as a comment.
  for (const [index, line] of file.text.split("\n").entries()) {
    const match = /^\s*-?\s*uses:\s*([^\s#]+)(.*)$/.exec(line);
    if (!match) continue;
    const [, ref, rest] = match;
    if (ref!.startsWith("./")) continue;
    if (!/@[0-9a-f]{40}$/.test(ref!)) report(`line ${index + 1}: ${ref} is not pinned to a full commit SHA`);
    else if (!/#\s*v\d+\.\d+\.\d+/.test(rest!)) report(`line ${index + 1}: ${ref} has no "# vX.Y.Z" comment`);
  }

  // Secrets by name only, and only the ones we document.
  for (const match of file.text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (!(ALLOWED_SECRETS as readonly string[]).includes(match[1]!)) {
      report(`references secret ${match[1]}, which is not one of ${ALLOWED_SECRETS.join(", ")}`);
    }
  }
  if (/secrets\s*\[/.test(file.text) || /toJSON\(\s*secrets\s*\)/.test(file.text)) {
    report("secrets must be referenced by name (secrets.NAME)");
  }

  const workflowEnv = isMapping(workflow["env"]) ? workflow["env"] : {};
  for (const job of jobs(workflow)) {
    const jobEnv = isMapping(job.raw["env"]) ? job.raw["env"] : {};
    const stacks = stacksTouched(workflow, job);

    // The deploy-side commands use the stack's scoped token, never the bootstrap token.
    for (const step of job.steps) {
      if (typeof step.run !== "string" || !SCOPED_TOKEN_COMMAND.test(step.run)) continue;
      const env = { ...workflowEnv, ...jobEnv, ...(step.env ?? {}) };
      for (const [key, value] of Object.entries(env)) {
        if (key === "CLOUDFLARE_API_TOKEN" || /CLOUDFLARE_API_TOKEN/.test(String(value))) {
          report(`job ${job.id}, step "${step.name ?? step.run}": CLOUDFLARE_API_TOKEN is in the environment of a command that must use the stack's scoped token`);
        }
      }
    }

    if (changesAStack(job)) {
      // Two deploys of one stack never overlap, and a running one is never cancelled.
      const concurrency = job.raw["concurrency"] ?? workflow["concurrency"];
      const group = typeof concurrency === "string" ? concurrency : isMapping(concurrency) ? concurrency["group"] : undefined;
      if (typeof group !== "string") report(`job ${job.id} changes a stack but has no concurrency group`);
      else {
        for (const stack of stacks) {
          if (group !== `deploy-${stack}` && group !== "deploy-${{ inputs.stack }}") {
            report(`job ${job.id}: concurrency group "${group}" is not deploy-${stack}`);
          }
        }
        if (isMapping(concurrency) && concurrency["cancel-in-progress"] === true) {
          report(`job ${job.id}: cancel-in-progress would abort a deploy halfway`);
        }
      }
      if (on.some((t) => PULL_REQUEST_TRIGGERS.includes(t))) {
        report(`job ${job.id} changes a stack in a workflow triggered by pull requests`);
      }
    }

    if (stacks.includes("prod")) {
      if (on.some((t) => PULL_REQUEST_TRIGGERS.includes(t))) {
        report(`job ${job.id} acts on prod in a workflow triggered by pull requests`);
      }
      const environment = environmentName(job);
      const gated =
        environment === "production" ||
        (environment !== undefined && /inputs\.stack == 'prod' && 'production'/.test(environment));
      if (changesAStack(job) && !gated) report(`job ${job.id} deploys prod outside the production environment`);
    }
  }
  return problems;
}
