import { describe, expect, it } from "vitest";
import { parseDeployArgs } from "../../../scripts/lib/deploy-command.ts";
import { UsageError } from "../../../scripts/lib/errors.ts";

describe("parseDeployArgs", () => {
  it("applies the documented defaults", () => {
    expect(parseDeployArgs(["--stack", "staging"], {})).toEqual({
      stack: "staging",
      outputsFile: undefined,
      buildId: undefined,
      dryRun: false,
      skipPreflight: false,
      skipVerify: false,
      verifyTimeoutMs: 180_000,
      retries: 3,
      deployTimeoutMs: 600_000,
      pruneDomains: false,
      json: false,
      help: false,
    });
  });

  it("takes the stack from PULUMI_STACK when --stack is absent, and --stack wins over it", () => {
    expect(parseDeployArgs([], { PULUMI_STACK: "prod" }).stack).toBe("prod");
    expect(parseDeployArgs(["--stack", "staging"], { PULUMI_STACK: "prod" }).stack).toBe("staging");
  });

  it("parses every flag", () => {
    const args = parseDeployArgs(
      [
        "--outputs", "o.json", "--build-id", "abc123-dirty", "--dry-run", "--skip-preflight", "--skip-verify",
        "--verify-timeout", "30", "--retries", "5", "--deploy-timeout", "90", "--json",
      ],
      {},
    );
    expect(args).toMatchObject({
      stack: undefined,
      outputsFile: "o.json",
      buildId: "abc123-dirty",
      dryRun: true,
      skipPreflight: true,
      skipVerify: true,
      verifyTimeoutMs: 30_000,
      retries: 5,
      deployTimeoutMs: 90_000,
      json: true,
    });
  });

  it.each([
    [["--stack", "s", "--retries", "0"], /--retries: must be at least 1/],
    [["--stack", "s", "--retries", "two"], /--retries: must be a whole number/],
    [["--stack", "s", "--verify-timeout", "-5"], /verify-timeout/],
    [["--stack", "s", "--frobnicate"], /Unknown option '--frobnicate'/],
    [["--stack", "s", "extra"], /positional/i],
    [["--stack", "s", "--build-id", "has space"], /--build-id "has space" is not usable/],
    [[], /No stack given/],
    [["--stack", "s", "--prune-domains", "--skip-verify"], /--prune-domains .* drop --skip-verify/],
  ])("rejects %j as a usage error (exit 2)", (argv, message) => {
    let thrown: unknown;
    try {
      parseDeployArgs(argv, {});
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UsageError);
    expect((thrown as UsageError).exitCode).toBe(2);
    expect((thrown as UsageError).message).toMatch(message);
  });

  it("--help needs no stack", () => {
    expect(parseDeployArgs(["--help"], {}).help).toBe(true);
  });
});
