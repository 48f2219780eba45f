// Typed errors for the deploy tooling (deploy, smoke, and later rollback/status/teardown).
// Each class says *whose* problem it is and carries the process exit code; only the entry
// point (scripts/lib/cli.ts runCli) turns them into process.exit.

/** Base class: a failure a person will read. `message` says what happened, why, and the fix. */
export abstract class CliError extends Error {
  abstract readonly exitCode: number;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The operator asked for something invalid: bad flags, unknown stack, invalid stack outputs. Exit 2. */
export class UsageError extends CliError {
  readonly exitCode = 2;
}

/** Credentials missing, inactive, expired, or lacking a permission. Exit 3. */
export class CredentialsError extends CliError {
  readonly exitCode = 3;
}

/** The account is not ready for this deploy (zone, DNS, hostname held elsewhere, attach refused). Exit 4. */
export class PreflightError extends CliError {
  readonly exitCode = 4;
}

/** The upload failed (after the retries a transient failure earns). Exit 5. */
export class DeployError extends CliError {
  readonly exitCode = 5;
}

/** The new build did not answer as expected on the checked URL in time. Exit 6. */
export class VerifyError extends CliError {
  readonly exitCode = 6;
}

/** Exit code for anything that is not a CliError: a bug in this tooling. */
export const UNEXPECTED_EXIT_CODE = 1;

export const EXIT_CODES = {
  ok: 0,
  unexpected: UNEXPECTED_EXIT_CODE,
  usage: 2,
  credentials: 3,
  preflight: 4,
  deploy: 5,
  verify: 6,
} as const;

export function exitCodeFor(error: unknown): number {
  return error instanceof CliError ? error.exitCode : UNEXPECTED_EXIT_CODE;
}

/** Short, stable name for JSON output ("UsageError", ..., "Error"). */
export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return "Error";
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
