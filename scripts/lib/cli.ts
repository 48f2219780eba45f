// The entry-point layer shared by every deploy-side command: argument parsing (node:util
// parseArgs, then zod for values), and runCli, the only place that calls process.exit, mapping
// error types to exit codes and printing either a human summary or one --json object.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "./zod.ts";
import { errorMessage, errorName, exitCodeFor, UsageError } from "./errors.ts";
import { loadDotenv } from "./env.ts";
import { createLogger, type Logger } from "./logger.ts";
import { stopAllChildren } from "./process.ts";
import { createMasker, secretsInEnv, type Masker } from "./secrets.ts";

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses argv with parseArgs (strict: unknown flags and stray positionals are usage errors),
 * then validates/coerces the values with `schema`. Pure apart from throwing UsageError.
 */
export function parseCliArgs<S extends z.ZodType>(argv: string[], options: OptionsConfig, schema: S, hint: string): z.infer<S> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(`${errorMessage(error).replace(/\. To specify.*$/s, "")}. ${hint}`);
  }
  const result = schema.safeParse(values);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  --${issue.path.map(String).join(".")}: ${issue.message}`);
    throw new UsageError(`Invalid arguments:\n${lines.join("\n")}\n${hint}`);
  }
  return result.data;
}

/** "--retries 3" style numbers: a string that must parse to a number in range. */
export function numberFlag(options: { int?: boolean; min: number; max: number }) {
  return z
    .string()
    .trim()
    .regex(options.int ? /^\d+$/ : /^\d+(\.\d+)?$/, options.int ? "must be a whole number" : "must be a number")
    .transform(Number)
    .pipe(z.number().min(options.min, `must be at least ${options.min}`).max(options.max, `must be at most ${options.max}`));
}

export interface CommandContext {
  argv: string[];
  env: NodeJS.ProcessEnv;
  masker: Masker;
  logger: Logger;
  /** Set by the command once it knows (e.g. after parsing --json). */
  setJsonMode(json: boolean): void;
}

/** What a command returns: the exit code, a human summary (stdout) and the --json object. */
export interface CommandOutcome {
  exitCode: number;
  summary?: string;
  json?: Record<string, unknown>;
}

/** A command may attach its partial JSON report to an error so --json still prints it. */
export class CommandFailure extends Error {
  readonly error: unknown;
  readonly json: Record<string, unknown>;

  constructor(error: unknown, json: Record<string, unknown>) {
    super(errorMessage(error));
    this.error = error;
    this.json = json;
    this.name = "CommandFailure";
  }
}

/**
 * Runs a command as a process: loads .env (never overriding), registers every ambient secret
 * with the masker, stops child process groups on Ctrl-C, prints the result (masked) and exits
 * with the error's exit code. The one place that calls process.exit.
 */
export async function runCli(command: (context: CommandContext) => Promise<CommandOutcome>): Promise<never> {
  const env = process.env;
  loadDotenv(env);
  const masker = createMasker(secretsInEnv(env));
  const logger = createLogger(masker, process.stderr);
  // Known before parsing, so even a usage error is reported as JSON.
  let json = process.argv.slice(2).includes("--json");
  const context: CommandContext = {
    argv: process.argv.slice(2),
    env,
    masker,
    logger,
    setJsonMode: (value) => {
      json = value;
    },
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stopAllChildren("SIGTERM");
      setTimeout(() => stopAllChildren("SIGKILL"), 2_000).unref();
      process.stderr.write(`\n${signal}: stopped.\n`);
      process.exit(130);
    });
  }
  let exitCode: number;
  try {
    const outcome = await command(context);
    exitCode = outcome.exitCode;
    if (json && outcome.json) process.stdout.write(`${masker.mask(JSON.stringify(outcome.json, null, 2))}\n`);
    else if (outcome.summary) process.stdout.write(`${masker.mask(outcome.summary)}\n`);
  } catch (thrown) {
    const error = thrown instanceof CommandFailure ? thrown.error : thrown;
    exitCode = exitCodeFor(error);
    const message = errorMessage(error);
    logger.error(exitCode === 1 && error instanceof Error && error.stack ? error.stack : message);
    if (json) {
      const report = thrown instanceof CommandFailure ? thrown.json : {};
      const body = { ok: false, ...report, exitCode, error: { name: errorName(error), message } };
      process.stdout.write(`${masker.mask(JSON.stringify(body, null, 2))}\n`);
    }
  }
  // Let stdout drain before exiting (it may be a pipe).
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  process.exit(exitCode);
}
