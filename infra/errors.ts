// User-facing failures of the Pulumi program, and a guard that lets Pulumi print them.
//
// They extend pulumi.RunError because the Node language host prints a RunError's message alone,
// without a stack trace (@pulumi/pulumi cmd/run/run.js), so the operator sees what is wrong and the
// command that fixes it, nothing else.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config.ts";

/** Something the operator must fix: configuration, the account, or the bootstrap token. */
export class PerudoStackError extends pulumi.RunError {
  override readonly name = "PerudoStackError";

  constructor(message: string) {
    super(message);
    // No frames: the message is the whole story (and see installErrorStackGuard for why a stack
    // with frames inside node_modules can even hang the CLI).
    this.stack = `PerudoStackError: ${message}`;
  }
}

/** Turns a ConfigError (plain, Pulumi-free) into the error the CLI prints without a stack. */
export function toStackError(error: unknown): unknown {
  return error instanceof ConfigError ? new PerudoStackError(error.message) : error;
}

/**
 * Matches a stack line whose last `node_modules/` segment has no separator after the package
 * name, e.g. `at f (/repo/node_modules/@pulumi/resource.ts:637:22)`: @pulumi/pulumi's source maps
 * (`"sources": ["../resource.ts"]`) produce such frames through source-map-support.
 */
const UNTERMINATED_NODE_MODULES_FRAME = /[/\\]node_modules[/\\](?:@[^/\\]*(?:[/\\][^/\\]*)?|[^/\\]*)$/;

/** Drops the stack lines util.inspect cannot format (see installErrorStackGuard). */
export function sanitizeStack(stack: string): string {
  return stack
    .split("\n")
    .filter((line) => !UNTERMINATED_NODE_MODULES_FRAME.test(line))
    .join("\n");
}

function sanitizeError(error: unknown, seen = new Set<unknown>()): void {
  if (typeof error !== "object" || error === null || seen.has(error)) return;
  seen.add(error);
  const record = error as { stack?: unknown; cause?: unknown; errors?: unknown };
  try {
    if (typeof record.stack === "string") record.stack = sanitizeStack(record.stack);
  } catch {
    // A frozen or getter-only stack: leave it.
  }
  sanitizeError(record.cause, seen);
  if (Array.isArray(record.errors)) for (const inner of record.errors) sanitizeError(inner, seen);
}

/**
 * When a Pulumi program fails, cmd/run's handler formats the error with
 * `util.inspect(err, { colors: true })`. On Node 20.20 that call never returns (100% CPU, nothing
 * printed, `pulumi up` hangs) if a stack line ends in `node_modules/@scope/file` without a further
 * path separator, which is what every frame inside @pulumi/pulumi's own code looks like once its
 * source maps are applied. This guard runs before Pulumi's handlers and removes those lines.
 * test/infra/cli-run.test.ts reproduces the hang through cmd/run.
 */
export function installErrorStackGuard(): void {
  const marker = Symbol.for("perudo-vibe.errorStackGuard");
  const processWithMarker = process as NodeJS.Process & { [key: symbol]: boolean };
  if (processWithMarker[marker]) return;
  processWithMarker[marker] = true;
  process.prependListener("uncaughtException", (error) => sanitizeError(error));
  process.prependListener("unhandledRejection", (reason) => sanitizeError(reason));
}
