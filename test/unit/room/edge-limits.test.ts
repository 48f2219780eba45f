// The edge rate limits: wrangler.jsonc configures exactly the limits the Worker names in its
// refusals, keys are per host and per IP or room, and a refusal is a JSON 429 with Retry-After.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EDGE_LIMITS, checkEdgeLimits, type EdgeLimitEnv, type RateLimitBinding } from "../../../party/room/edge-limits.ts";
import { stripJsonc } from "../../../scripts/ops/jsonc.ts";
import { PROJECT_ROOT } from "../../support/dev-server.ts";

interface RatelimitConfig {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

/** A binding that allows `allow` calls, recording every key it was asked about. */
function fakeBinding(allow: number, keys: string[]): RateLimitBinding {
  return {
    limit: async ({ key }) => {
      keys.push(key);
      return { success: keys.length <= allow };
    },
  };
}

describe("EDGE_LIMITS", () => {
  it("mirrors the ratelimits of wrangler.jsonc exactly, with distinct integer namespaces", () => {
    const config = JSON.parse(stripJsonc(readFileSync(path.join(PROJECT_ROOT, "wrangler.jsonc"), "utf8"))) as {
      ratelimits: RatelimitConfig[];
    };
    const configured = config.ratelimits.map((r) => ({ binding: r.name, limit: r.simple.limit, period: r.simple.period }));
    const named = [...EDGE_LIMITS.upgrade, ...EDGE_LIMITS.summary].map(({ binding, limit, period }) => ({ binding, limit, period }));
    expect(configured).toEqual(named);
    const namespaces = config.ratelimits.map((r) => r.namespace_id);
    expect(new Set(namespaces).size).toBe(namespaces.length);
    for (const id of namespaces) expect(id).toMatch(/^[1-9]\d*$/);
  });
});

describe("checkEdgeLimits", () => {
  const request = { kind: "upgrade", host: "party.example.com", clientIp: "203.0.113.9", roomId: "r1" } as const;

  it("checks the IP before the room, keyed by host, and lets the request through within the limits", async () => {
    const ipKeys: string[] = [];
    const roomKeys: string[] = [];
    const env: EdgeLimitEnv = { UPGRADES_PER_IP: fakeBinding(5, ipKeys), UPGRADES_PER_ROOM: fakeBinding(5, roomKeys) };
    expect(await checkEdgeLimits(env, request)).toBeNull();
    expect(ipKeys).toEqual(["party.example.com|ip:203.0.113.9"]);
    expect(roomKeys).toEqual(["party.example.com|room:r1"]);
  });

  it("refuses with a JSON 429 naming the limit, with Retry-After, and spends nothing on the room", async () => {
    const ipKeys: string[] = [];
    const roomKeys: string[] = [];
    const env: EdgeLimitEnv = { UPGRADES_PER_IP: fakeBinding(0, ipKeys), UPGRADES_PER_ROOM: fakeBinding(5, roomKeys) };
    const response = await checkEdgeLimits(env, request);
    expect(response?.status).toBe(429);
    expect(response?.headers.get("Retry-After")).toBe("60");
    expect(await response?.json()).toEqual({
      error: "rate_limited",
      message: "Too many connection attempts from your address: at most 60 per 60 seconds. Retry after 60 seconds.",
      limit: 60,
      periodSeconds: 60,
    });
    expect(roomKeys).toEqual([]);
  });

  it("uses the summary namespaces for summaries and skips bindings that are absent", async () => {
    const keys: string[] = [];
    const env: EdgeLimitEnv = { SUMMARIES_PER_ROOM: fakeBinding(0, keys), UPGRADES_PER_ROOM: fakeBinding(0, []) };
    const response = await checkEdgeLimits(env, { ...request, kind: "summary", clientIp: null });
    expect(keys).toEqual(["party.example.com|room:r1"]);
    expect(((await response?.json()) as { message: string }).message).toMatch(/summary requests for this room: at most 600 per 60/);
    expect(await checkEdgeLimits({}, request)).toBeNull();
  });
});
