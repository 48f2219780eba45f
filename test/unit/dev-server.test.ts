import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";

describe("dev server harness", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ vars: { BUILD_ID: "harness-check" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("serves /health on real workerd with the vars it was given", async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, name: "perudo-vibe", version: "harness-check" });
  });
});
