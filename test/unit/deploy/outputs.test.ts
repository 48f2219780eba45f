import { describe, expect, it } from "vitest";
import { CredentialsError, UsageError } from "../../../scripts/lib/errors.ts";
import { loadStackOutputs, parseStackOutputs } from "../../../scripts/lib/outputs.ts";
import type { RunCommand, RunResult } from "../../../scripts/lib/process.ts";

const valid = {
  accountId: "0123456789abcdef0123456789abcdef",
  zoneId: "023e105f4ecef8ad9ca31a8372d0c353",
  zoneName: "example.com",
  domain: "perudo.example.com",
  routing: "custom-domain",
  environment: "staging",
  workerName: "perudo-vibe-staging",
  deployToken: "secret-token-value-123",
  deployTokenExpiresOn: "2027-01-31T00:00:00Z",
  host: "perudo.example.com",
  websocketUrl: "wss://perudo.example.com/parties/main",
  healthUrl: "https://perudo.example.com/health",
  allowedOrigins: ["https://app.example.com"],
  turnSeconds: 60,
};
const source = { stack: "staging", from: "pulumi stack 'staging'" };

function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("parseStackOutputs", () => {
  it("accepts the documented outputs (and nameservers when present)", () => {
    expect(parseStackOutputs({ ...valid, nameservers: ["a.ns.cloudflare.com"] }, source)).toMatchObject({
      domain: "perudo.example.com",
      routing: "custom-domain",
      nameservers: ["a.ns.cloudflare.com"],
    });
  });

  it("names each missing or invalid output and suggests `pulumi up --stack <name>` (exit 2)", () => {
    const { healthUrl: _healthUrl, ...missing } = valid;
    const error = thrownBy(() => parseStackOutputs({ ...missing, accountId: "nope", routing: "worker" }, source));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("output healthUrl is missing");
    expect(error.message).toContain("output accountId must be a 32-character lower-case hex");
    expect(error.message).toContain("output routing");
    expect(error.message).toContain("pulumi up --stack staging");
  });

  it("reads maxConnectionsPerRoom when present (stacks updated before it existed have none)", () => {
    expect(parseStackOutputs({ ...valid, maxConnectionsPerRoom: 128 }, source).maxConnectionsPerRoom).toBe(128);
    expect(parseStackOutputs(valid, source).maxConnectionsPerRoom).toBeUndefined();
    expect(thrownBy(() => parseStackOutputs({ ...valid, maxConnectionsPerRoom: 5 }, source)).message).toContain("maxConnectionsPerRoom");
  });

  it("checks the derived outputs agree with domain", () => {
    const error = thrownBy(() => parseStackOutputs({ ...valid, host: "other.example.com", websocketUrl: "wss://x/parties/main" }, source));
    expect(error.message).toContain("output host must equal domain (perudo.example.com)");
    expect(error.message).toContain("output websocketUrl must be wss://perudo.example.com/parties/main");
  });

  it("a missing deployToken alone is a credentials problem (exit 3); a masked one too", () => {
    const { deployToken: _token, ...noToken } = valid;
    expect(thrownBy(() => parseStackOutputs(noToken, source))).toBeInstanceOf(CredentialsError);
    const masked = thrownBy(() => parseStackOutputs({ ...valid, deployToken: "[secret]" }, source));
    expect(masked).toBeInstanceOf(CredentialsError);
    expect(masked.message).toContain("--show-secrets");
  });

  it("never puts a value (so never the token) into its message", () => {
    const error = thrownBy(() => parseStackOutputs({ ...valid, accountId: "x", deployToken: 42 }, source));
    expect(error.message).not.toContain("secret-token-value-123");
  });
});

function fakeRun(result: Partial<RunResult>, calls: string[][] = []): RunCommand {
  return async (command, args) => {
    calls.push([command, ...args]);
    return { exitCode: 0, signal: null, stdout: "", stderr: "", timedOut: false, durationMs: 1, ...result };
  };
}

describe("loadStackOutputs", () => {
  it("runs `<pulumi> stack output --json --show-secrets --stack <name>` and registers the token before validating", async () => {
    const calls: string[][] = [];
    const secrets: string[] = [];
    const outputs = await loadStackOutputs({
      stack: "staging",
      pulumiBin: "/opt/pulumi",
      run: fakeRun({ stdout: JSON.stringify(valid) }, calls),
      registerSecret: (value) => secrets.push(value),
    });
    expect(outputs.workerName).toBe("perudo-vibe-staging");
    expect(calls).toEqual([["/opt/pulumi", "stack", "output", "--json", "--show-secrets", "--stack", "staging"]]);
    expect(secrets).toEqual(["secret-token-value-123"]);
  });

  it("turns pulumi's unknown-stack error into a usage error naming the stack", async () => {
    const run = fakeRun({ exitCode: 255, stderr: "error: no stack named 'prod' found\n" });
    await expect(loadStackOutputs({ stack: "prod", run })).rejects.toThrow(/no stack named 'prod'.*pulumi stack ls/s);
    await expect(loadStackOutputs({ stack: "prod", run })).rejects.toBeInstanceOf(UsageError);
  });

  it("explains a missing pulumi executable", async () => {
    const run = fakeRun({ exitCode: null, spawnError: Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" }) });
    await expect(loadStackOutputs({ stack: "s", run })).rejects.toThrow(/Install Pulumi.*PULUMI_BIN/s);
  });

  it("rejects output that is not JSON", async () => {
    await expect(loadStackOutputs({ stack: "s", run: fakeRun({ stdout: "warning: blah" }) })).rejects.toThrow(/not valid JSON/);
  });
});
