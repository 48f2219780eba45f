// User-facing failures of the Pulumi program. They extend pulumi.RunError because the Node
// language host prints a RunError's message alone, without a stack trace (cmd/run/run.js), so
// the operator sees what is wrong and the command that fixes it, nothing else.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config.js";

/** Something the operator must fix: configuration, the account, or the bootstrap token. */
export class PerudoStackError extends pulumi.RunError {
  override readonly name = "PerudoStackError";
}

/** Turns a ConfigError (plain, Pulumi-free) into the error the CLI prints without a stack. */
export function toStackError(error: unknown): unknown {
  return error instanceof ConfigError ? new PerudoStackError(error.message) : error;
}
