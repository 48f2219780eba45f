// The program, as functions: read and validate the stack config, then declare the stack.
// infra/index.ts (what `pulumi up` runs) is only these two calls; tests call them directly.
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, parseStackConfig, type RawStackConfig, type StackConfig } from "./config.ts";
import { PerudoStack, type PerudoStackOutputs } from "./components/perudo-stack.ts";
import { toStackError } from "./errors.ts";

/**
 * The stack's validated configuration, from the config the Pulumi CLI passed in. Every key in
 * the `perudo-vibe` namespace is checked, so a typo fails too. Throws a PerudoStackError (printed
 * by the CLI without a stack trace) before any resource is declared.
 */
export function readStackConfig(stack: string = pulumi.getStack()): StackConfig {
  const ours: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(`${PROJECT}:`)) ours[key] = value;
  }
  return parseConfig(ours, stack);
}

function parseConfig(raw: RawStackConfig, stack: string): StackConfig {
  try {
    return parseStackConfig(raw, stack);
  } catch (error) {
    throw toStackError(error);
  }
}

export interface DefineOptions {
  /** The clock, read when a deploy token generation is first issued. @default () => new Date() */
  now?: () => Date;
  /** Options for the top-level component (tests pass transformations here). */
  opts?: pulumi.ComponentResourceOptions;
}

/** Declares the whole stack and returns its outputs (the names the deploy CLI reads). */
export function definePerudoStack(config: StackConfig, options: DefineOptions = {}): PerudoStackOutputs {
  const stack = new PerudoStack(
    PROJECT,
    { config, ...(options.now ? { now: options.now } : {}) },
    options.opts,
  );
  return stack.outputs;
}
