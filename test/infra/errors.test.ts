// User-facing errors: RunErrors without frames, and the stack guard that keeps cmd/run's
// util.inspect from hanging on @pulumi/pulumi's source-mapped frames (Node 20.20).
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../infra/config.ts";
import { PerudoStackError, sanitizeStack, toStackError } from "../../infra/errors.ts";

describe("PerudoStackError", () => {
  it("is a pulumi.RunError whose stack is only its message", () => {
    const error = new PerudoStackError("Zone \"example.com\" was not found.\n  - fix: pulumi config set perudo-vibe:createZone true");
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect(error.stack).toBe(`PerudoStackError: ${error.message}`);
    expect(error.stack).not.toMatch(/\n\s+at /);
  });

  it("wraps ConfigError and passes anything else through", () => {
    const config = new ConfigError([{ key: "zone", problem: "is required", fix: "pulumi config set perudo-vibe:zone example.com" }]);
    const wrapped = toStackError(config);
    expect(wrapped).toBeInstanceOf(PerudoStackError);
    expect((wrapped as Error).message).toBe(config.message);
    const other = new TypeError("x");
    expect(toStackError(other)).toBe(other);
  });
});

describe("sanitizeStack", () => {
  it("drops frames util.inspect cannot format and keeps the rest", () => {
    const stack = [
      "Error: boom",
      "    at main (file:///work/main/infra/index.ts:9:3)",
      "    at Stack.initialize (/work/main/node_modules/@pulumi/runtime/stack.ts:75:39)",
      "    at async Stack.initializeAndRegisterOutputs (/work/main/node_modules/@pulumi/resource.ts:637:22)",
      "    at f (/work/main/node_modules/left-pad.js:1:1)",
      "    at g (/work/main/node_modules/@pulumi/pulumi/output.js:10:5)",
    ].join("\n");
    expect(sanitizeStack(stack).split("\n")).toEqual([
      "Error: boom",
      "    at main (file:///work/main/infra/index.ts:9:3)",
      "    at Stack.initialize (/work/main/node_modules/@pulumi/runtime/stack.ts:75:39)",
      "    at g (/work/main/node_modules/@pulumi/pulumi/output.js:10:5)",
    ]);
  });
});
