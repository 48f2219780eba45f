// Stack outputs: the contract between the Pulumi program (infra/) and every command that acts
// on a deployed stack. Read with `pulumi stack output --json --show-secrets` (or from a file of
// the same shape) and validated here once; commands receive an already-parsed StackOutputs.
import { readFile } from "node:fs/promises";
import { z } from "./zod.ts";
import { CredentialsError, UsageError } from "./errors.ts";
import type { RunCommand } from "./process.ts";

const HEX32 = /^[0-9a-f]{32}$/;
// A DNS name: labels of letters, digits and hyphens, at least two labels, no scheme or path.
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// Cloudflare script names: lower-case letters, digits, '-' and '_', at most 63 characters.
const WORKER_NAME = /^[a-z0-9](?:[a-z0-9_-]{0,62})$/;

const hostname = z.string().trim().toLowerCase().regex(HOSTNAME, "must be a bare hostname (no scheme, no path)");

const isoDate = z
  .string()
  .refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO 8601 date, e.g. 2027-01-31T00:00:00Z");

const origin = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value.replace(/\/$/, "");
  } catch {
    return false;
  }
}, "must be an origin such as https://app.example.com (scheme and host, no path)");

/** Every output a deploy reads, by its exact name. */
export const stackOutputsSchema = z
  .object({
    accountId: z.string().regex(HEX32, "must be a 32-character lower-case hex Cloudflare account id"),
    zoneId: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, "must be a Cloudflare zone id"),
    zoneName: hostname,
    domain: hostname,
    routing: z.enum(["custom-domain", "route"]),
    environment: z.string().min(1),
    workerName: z.string().regex(WORKER_NAME, "must be a Worker name: lower-case letters, digits, '-' or '_'"),
    deployToken: z.string().min(1),
    deployTokenExpiresOn: isoDate.nullish(),
    host: hostname,
    websocketUrl: z.string().regex(/^wss:\/\//, "must start with wss://"),
    healthUrl: z.string().regex(/^https:\/\//, "must start with https://"),
    allowedOrigins: z.array(origin),
    turnSeconds: z.number().int().positive().max(86_400),
    // Absent in the outputs of a stack last updated before it existed: wrangler.jsonc's value applies.
    maxConnectionsPerRoom: z.number().int().min(6).max(10_000).optional(),
    nameservers: z.array(z.string()).optional(),
  })
  .loose()
  .superRefine((outputs, context) => {
    const domain = outputs.domain;
    if (domain !== outputs.zoneName && !domain.endsWith(`.${outputs.zoneName}`)) {
      context.addIssue({ code: "custom", path: ["domain"], message: `must be ${outputs.zoneName} or a name under it` });
    }
    if (outputs.host !== domain) {
      context.addIssue({ code: "custom", path: ["host"], message: `must equal domain (${domain})` });
    }
    if (outputs.websocketUrl !== `wss://${domain}/parties/main`) {
      context.addIssue({ code: "custom", path: ["websocketUrl"], message: `must be wss://${domain}/parties/main` });
    }
    if (outputs.healthUrl !== `https://${domain}/health`) {
      context.addIssue({ code: "custom", path: ["healthUrl"], message: `must be https://${domain}/health` });
    }
  });

export type StackOutputs = z.infer<typeof stackOutputsSchema>;

/** Outputs whose problems are credential problems (exit 3) rather than usage problems (exit 2). */
const CREDENTIAL_OUTPUTS = new Set(["deployToken"]);

/**
 * Validates raw outputs. Pure: throws UsageError (or CredentialsError for the deploy token) with
 * one line per problem, each naming the output, and the command that regenerates them.
 */
export function parseStackOutputs(raw: unknown, source: { stack: string | undefined; from: string }): StackOutputs {
  const fix = `Run \`pulumi up --stack ${source.stack ?? "<stack>"}\` to create or refresh the stack outputs${
    source.from.startsWith("file ") ? `, then export them again (pulumi stack output --json --show-secrets)` : ""
  }.`;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new UsageError(`Stack outputs from ${source.from} are not a JSON object. ${fix}`);
  }
  const record = raw as Record<string, unknown>;
  if (record["deployToken"] === "[secret]") {
    throw new CredentialsError(
      `Output deployToken from ${source.from} is masked ("[secret]"): read the outputs with --show-secrets. ${fix}`,
    );
  }
  const result = stackOutputsSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length > 0 ? issue.path.map(String).join(".") : "(outputs)";
    const missing = issue.path.length === 1 && !(String(issue.path[0]) in record);
    return { name, text: missing ? `output ${name} is missing` : `output ${name} ${issue.message}` };
  });
  const message = `Invalid stack outputs from ${source.from}:\n${problems.map((p) => `  - ${p.text}`).join("\n")}\n${fix}`;
  const onlyCredentials = problems.every((problem) => CREDENTIAL_OUTPUTS.has(problem.name.split(".")[0] ?? ""));
  throw onlyCredentials ? new CredentialsError(message) : new UsageError(message);
}

/** The pulumi executable: PULUMI_BIN, else "pulumi" on the PATH. */
export function pulumiBin(env: NodeJS.ProcessEnv): string {
  return env["PULUMI_BIN"] || "pulumi";
}

export interface LoadStackOutputsOptions {
  stack: string | undefined;
  /** Read this file (shape of `pulumi stack output --json --show-secrets`) instead of calling pulumi. */
  outputsFile?: string | undefined;
  /** Default "pulumi". */
  pulumiBin?: string | undefined;
  /** Injected process runner (scripts/lib/process.ts runCommand in production). */
  run: RunCommand;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called with the raw deployToken before validation, so it is masked even in error output. */
  registerSecret?(value: string): void;
}

/** Reads and validates the stack outputs. Throws UsageError / CredentialsError. */
export async function loadStackOutputs(options: LoadStackOutputsOptions): Promise<StackOutputs> {
  const { stack } = options;
  if (options.outputsFile) {
    let text: string;
    try {
      text = await readFile(options.outputsFile, "utf8");
    } catch (error) {
      throw new UsageError(`Cannot read --outputs ${options.outputsFile}: ${(error as Error).message}`);
    }
    const raw = parseJson(text, `file ${options.outputsFile}`);
    registerRawSecrets(raw, options.registerSecret);
    return parseStackOutputs(raw, { stack, from: `file ${options.outputsFile}` });
  }
  if (!stack) {
    throw new UsageError("No stack given: pass --stack <name> (or set PULUMI_STACK), or --outputs <file>.");
  }
  const pulumiBin = options.pulumiBin || "pulumi";
  const args = ["stack", "output", "--json", "--show-secrets", "--stack", stack];
  const result = await options.run(pulumiBin, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    timeoutMs: 120_000,
  });
  if (result.spawnError) {
    throw new UsageError(
      `Could not run ${pulumiBin} (${result.spawnError.message}). Install Pulumi (https://www.pulumi.com/docs/install/) or set PULUMI_BIN, or pass --outputs <file>.`,
    );
  }
  if (result.timedOut) {
    throw new UsageError(`${pulumiBin} stack output did not finish within 120 s.`);
  }
  if (result.exitCode !== 0) {
    const stderr = result.stderr.trim();
    if (/no stack named|stack .* not found/i.test(stderr)) {
      throw new UsageError(
        `Pulumi has no stack named '${stack}' (${firstLine(stderr)}). List stacks with \`pulumi stack ls\`, or create it with \`pulumi stack init ${stack}\` and \`pulumi up --stack ${stack}\`.`,
      );
    }
    throw new UsageError(
      `\`${pulumiBin} ${args.join(" ")}\` failed with exit code ${result.exitCode}: ${stderr || "(no output)"}`,
    );
  }
  const raw = parseJson(result.stdout, `pulumi stack '${stack}'`);
  registerRawSecrets(raw, options.registerSecret);
  return parseStackOutputs(raw, { stack, from: `pulumi stack '${stack}'` });
}

function registerRawSecrets(raw: unknown, register: ((value: string) => void) | undefined) {
  if (!register || raw === null || typeof raw !== "object") return;
  const token = (raw as Record<string, unknown>)["deployToken"];
  if (typeof token === "string") register(token);
}

function parseJson(text: string, from: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`Stack outputs from ${from} are not valid JSON.`);
  }
}

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? text;
}
