import { describe, expect, it } from "vitest";
import { CredentialsError, DeployError } from "../../../scripts/lib/errors.ts";
import { createMemoryLogger } from "../../../scripts/lib/logger.ts";
import type { RunCommand, RunOptions, RunResult } from "../../../scripts/lib/process.ts";
import {
  buildWranglerDeployArgs,
  classifyWranglerFailure,
  formatCommandLine,
  parseVersionId,
  runWranglerDeploy,
} from "../../../scripts/lib/wrangler.ts";

const plan = {
  workerName: "perudo-vibe-staging",
  buildId: "abc123",
  allowedOrigins: ["https://a.example.com", "https://b.example.com"],
  turnSeconds: 45,
  domain: "perudo.example.com",
  message: "deploy abc123",
};

describe("buildWranglerDeployArgs", () => {
  it("custom-domain mode never hands the hostname to wrangler", () => {
    const args = buildWranglerDeployArgs({ ...plan, routing: "custom-domain" });
    expect(args).toEqual([
      "deploy", "--name", "perudo-vibe-staging",
      "--var", "BUILD_ID:abc123",
      "--var", "ALLOWED_ORIGINS:https://a.example.com,https://b.example.com",
      "--var", "TURN_SECONDS:45",
      "--tag", "abc123", "--message", "deploy abc123", "--minify",
    ]);
    expect(args).not.toContain("--domain");
  });

  it("passes the stack's room capacity as MAX_CONNECTIONS_PER_ROOM when the outputs have one", () => {
    const args = buildWranglerDeployArgs({ ...plan, maxConnectionsPerRoom: 128, routing: "custom-domain" });
    expect(args.slice(0, 11)).toEqual([
      "deploy", "--name", "perudo-vibe-staging",
      "--var", "BUILD_ID:abc123",
      "--var", "ALLOWED_ORIGINS:https://a.example.com,https://b.example.com",
      "--var", "TURN_SECONDS:45",
      "--var", "MAX_CONNECTIONS_PER_ROOM:128",
    ]);
    expect(buildWranglerDeployArgs({ ...plan, maxConnectionsPerRoom: undefined, routing: "route" }).join(" ")).not.toContain("MAX_CONNECTIONS");
  });

  it("route mode adds --route <domain>/*; no allowed origins gives an empty list", () => {
    const args = buildWranglerDeployArgs({ ...plan, allowedOrigins: [], routing: "route" });
    expect(args).toContain("ALLOWED_ORIGINS:");
    expect(args.slice(-2)).toEqual(["--route", "perudo.example.com/*"]);
  });

  it("formats a command line with quoted arguments and a masked token", () => {
    expect(formatCommandLine("wrangler", ["deploy", "--message", "it's here"], { CLOUDFLARE_API_TOKEN: "***" })).toBe(
      `CLOUDFLARE_API_TOKEN=*** wrangler deploy --message 'it'\\''s here'`,
    );
  });
});

const apiFailure = (code: number, message: string) =>
  `✘ [ERROR] A request to the Cloudflare API (/accounts/abc/workers/scripts/w) failed.\n\n  ${message} [code: ${code}]\n`;
const debugLog = (...statuses: number[]) =>
  statuses.map((status) => `--- x debug\n-- START CF API RESPONSE: Some Text ${status}\n---\n`).join("");

describe("classifyWranglerFailure", () => {
  it.each([
    ["auth by code", { output: apiFailure(10000, "Authentication error") }, "auth"],
    ["auth by HTTP 403 in the debug log", { output: apiFailure(12345, "nope"), debugLog: debugLog(404, 403) }, "auth"],
    ["5xx in the debug log", { output: apiFailure(12345, "Bad gateway"), debugLog: debugLog(404, 502) }, "transient"],
    ["429", { output: apiFailure(971, "Please wait"), debugLog: debugLog(429) }, "transient"],
    ["unknown error code alone", { output: apiFailure(10013, "An unknown error has occurred") }, "transient"],
    ["malformed response with a 5xx", { output: "✘ [ERROR] Received a malformed response from the API\n  PUT /accounts/x -> 503 Service Unavailable" }, "transient"],
    ["network reset", { output: "✘ [ERROR] fetch failed\n  other side closed" }, "transient"],
    ["hung and stopped", { output: "", timedOut: true }, "transient"],
    ["config error", { output: "✘ [ERROR] Build failed with 1 error:\n  party/index.ts:1:0: ERROR: Could not resolve" }, "permanent"],
    ["a 4xx that is not auth", { output: apiFailure(10021, "Uncaught TypeError"), debugLog: debugLog(400) }, "permanent"],
    ["a network error after a handled 403", { output: "✘ [ERROR] fetch failed", debugLog: debugLog(403, 200) }, "transient"],
    ["a 5xx after a handled 403", { output: apiFailure(10013, "unknown"), debugLog: debugLog(403, 500) }, "transient"],
  ])("%s -> %s", (_name, input, kind) => {
    expect(classifyWranglerFailure(input).kind).toBe(kind);
  });

  it("ignores the 404 a first deploy always sees", () => {
    expect(classifyWranglerFailure({ output: apiFailure(10013, "x"), debugLog: debugLog(404, 500) }).httpStatus).toBe(500);
  });
});

describe("parseVersionId", () => {
  it("prefers wrangler's ND-JSON output file", () => {
    const file = `{"type":"wrangler-session","version":1}\n{"type":"deploy","version":1,"version_id":"v-from-file","worker_name":"w"}\n`;
    expect(parseVersionId(file, "Current Version ID: 11111111-2222-3333-4444-555555555555")).toBe("v-from-file");
  });
  it("falls back to the printed line", () => {
    expect(parseVersionId(undefined, "Uploaded\nCurrent Version ID: 11111111-2222-3333-4444-555555555555\n")).toBe(
      "11111111-2222-3333-4444-555555555555",
    );
    expect(parseVersionId("", "nothing")).toBeNull();
  });
});

type Step = Partial<RunResult> & { outputFile?: string; debug?: string };

function scriptedRun(steps: Step[], seen: { env: NodeJS.ProcessEnv; timeoutMs?: number }[]): {
  run: RunCommand;
  files: Map<string, string>;
} {
  const files = new Map<string, string>();
  let index = 0;
  const run: RunCommand = async (_bin, _args, options: RunOptions = {}) => {
    const step = steps[index++] ?? steps.at(-1)!;
    seen.push({ env: options.env ?? {}, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) });
    const env = options.env ?? {};
    if (step.outputFile) files.set(env["WRANGLER_OUTPUT_FILE_PATH"]!, step.outputFile);
    if (step.debug) files.set(env["WRANGLER_LOG_PATH"]!, step.debug);
    options.onStderr?.(Buffer.from(step.stderr ?? ""));
    return { exitCode: 0, signal: null, stdout: "", stderr: "", timedOut: false, durationMs: 1, ...step };
  };
  return { run, files };
}

async function deployWith(steps: Step[], attempts = 3) {
  const seen: { env: NodeJS.ProcessEnv; timeoutMs?: number }[] = [];
  const sleeps: number[] = [];
  const { run, files } = scriptedRun(steps, seen);
  const logger = createMemoryLogger();
  const promise = runWranglerDeploy({
    bin: "wrangler",
    args: ["deploy"],
    env: { CLOUDFLARE_API_TOKEN: "deploy" },
    cwd: "/project",
    attempts,
    timeoutMs: 1234,
    backoffBaseMs: 100,
    run,
    sleep: async (ms) => void sleeps.push(ms),
    logger,
    workDir: "/tmp/unit",
    readText: async (file) => files.get(file),
  });
  return { promise, seen, sleeps, logger };
}

const ok: Step = { exitCode: 0, outputFile: `{"type":"deploy","version_id":"ver-1"}\n` };

describe("runWranglerDeploy", () => {
  it("retries transient failures with growing backoff, then returns the version id", async () => {
    const { promise, seen, sleeps } = await deployWith([
      { exitCode: 1, stderr: apiFailure(10013, "An unknown error has occurred") },
      { exitCode: null, timedOut: true },
      ok,
    ]);
    await expect(promise).resolves.toMatchObject({ versionId: "ver-1", attempts: 3 });
    expect(sleeps).toEqual([100, 200]);
    expect(seen.map((call) => call.timeoutMs)).toEqual([1234, 1234, 1234]);
    // Each attempt writes its own output file and debug log.
    expect(new Set(seen.map((call) => call.env["WRANGLER_OUTPUT_FILE_PATH"])).size).toBe(3);
    expect(seen[0]!.env["CLOUDFLARE_API_TOKEN"]).toBe("deploy");
  });

  it("does not retry an auth/permission failure: CredentialsError (exit 3)", async () => {
    const { promise, seen } = await deployWith([{ exitCode: 1, stderr: apiFailure(10000, "Authentication error") }, ok]);
    await expect(promise).rejects.toBeInstanceOf(CredentialsError);
    expect(seen).toHaveLength(1);
  });

  it("does not retry a config error: DeployError (exit 5)", async () => {
    const { promise, seen } = await deployWith([{ exitCode: 1, stderr: "✘ [ERROR] Build failed with 1 error" }, ok]);
    await expect(promise).rejects.toBeInstanceOf(DeployError);
    await expect(promise).rejects.toThrow(/not retried/);
    expect(seen).toHaveLength(1);
  });

  it("gives up after the attempts: DeployError listing each failure", async () => {
    const { promise, seen } = await deployWith([{ exitCode: 1, stderr: "✘ [ERROR] fetch failed" }], 2);
    await expect(promise).rejects.toThrow(/after 2 attempt\(s\)[\s\S]*attempt 1: network failure[\s\S]*attempt 2: network failure/);
    expect(seen).toHaveLength(2);
  });

  it("uses the debug log's HTTP status to classify", async () => {
    const { promise, seen } = await deployWith([{ exitCode: 1, stderr: apiFailure(12345, "odd"), debug: debugLog(503) }, ok]);
    await expect(promise).resolves.toMatchObject({ attempts: 2 });
    expect(seen).toHaveLength(2);
  });
});
