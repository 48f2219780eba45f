import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildWranglerEnv, loadDotenv } from "../../../scripts/lib/env.ts";

describe("buildWranglerEnv", () => {
  it("drops every ambient Cloudflare credential and sets the stack's, with telemetry off", () => {
    const env = buildWranglerEnv(
      {
        PATH: "/usr/bin",
        HOME: "/home/op",
        CLOUDFLARE_API_TOKEN: "bootstrap",
        CLOUDFLARE_API_KEY: "global-key",
        CLOUDFLARE_EMAIL: "op@example.com",
        CLOUDFLARE_ACCOUNT_ID: "other-account",
        CF_API_TOKEN: "legacy",
        WRANGLER_OUTPUT_FILE_DIRECTORY: "/somewhere",
        WRANGLER_SEND_METRICS: "true",
      },
      { accountId: "acct", apiToken: "deploy", apiBaseUrl: "http://127.0.0.1:1/client/v4" },
    );
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/home/op",
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      WRANGLER_HIDE_BANNER: "true",
      WRANGLER_LOG_SANITIZE: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      CLOUDFLARE_ACCOUNT_ID: "acct",
      CLOUDFLARE_API_TOKEN: "deploy",
      CLOUDFLARE_API_BASE_URL: "http://127.0.0.1:1/client/v4",
    });
  });

  it("omits CLOUDFLARE_API_BASE_URL when not set", () => {
    expect(buildWranglerEnv({}, { accountId: "a", apiToken: "t" })).not.toHaveProperty("CLOUDFLARE_API_BASE_URL");
  });
});

describe("loadDotenv", () => {
  it("sets only variables that are not already set", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "dotenv-"));
    const file = path.join(dir, ".env");
    await writeFile(file, "PULUMI_STACK=from-file\nPULUMI_BIN=/from/file\n# comment\n");
    const env: NodeJS.ProcessEnv = { PULUMI_STACK: "from-env" };
    expect(loadDotenv(env, file)).toEqual(["PULUMI_BIN"]);
    expect(env).toEqual({ PULUMI_STACK: "from-env", PULUMI_BIN: "/from/file" });
  });

  it("is a no-op without a file", () => {
    expect(loadDotenv({}, "/nonexistent/.env")).toEqual([]);
  });
});
