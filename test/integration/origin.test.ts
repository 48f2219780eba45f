// ALLOWED_ORIGINS on real workerd: sockets from unlisted origins are refused with 403 before
// they open; listed ones (either of two) play normally; the JSON endpoints carry CORS headers
// for listed origins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { TestClient, roomUrl, tryUpgrade, uniqueRoom } from "../support/ws-client.ts";

const APP = "https://app.example.com";
const ADMIN = "https://admin.example.com";
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ vars: { ALLOWED_ORIGINS: `${APP}, ${ADMIN}` } });
});
afterAll(async () => {
  await server?.stop();
});

describe("ALLOWED_ORIGINS", () => {
  it("refuses sockets from any other origin, or with none, with 403 JSON on both layouts", async () => {
    const room = uniqueRoom("origin");
    const refused = [
      "https://evil.example.com",
      "http://app.example.com",
      "https://app.example.com:8443",
      "https://app.example.com.evil.com",
      "null",
      undefined,
    ];
    for (const origin of refused) {
      for (const layout of ["parties", "party"] as const) {
        const { status, body } = await tryUpgrade(roomUrl(server.url, room, layout), { origin });
        expect({ origin, layout, status }).toEqual({ origin, layout, status: 403 });
        expect(JSON.parse(body)).toMatchObject({ error: "origin_not_allowed" });
      }
    }
    // A bad room id is still a 400, whatever the origin.
    expect((await tryUpgrade(roomUrl(server.url, "bad.id"), { origin: APP })).status).toBe(400);
  });

  it("accepts listed origins, which then play normally", async () => {
    const room = uniqueRoom("origin-ok");
    const ana = await TestClient.connect(roomUrl(server.url, room), { origin: APP, label: "ana" });
    const bob = await TestClient.connect(roomUrl(server.url, room, "party"), { origin: ADMIN, label: "bob" });
    try {
      await ana.join("Ana");
      await bob.join("Bob");
      ana.send({ type: "start" });
      const state = await bob.state((s) => s.phase === "playing");
      expect(state.you?.dice).toHaveLength(5);
    } finally {
      await Promise.all([ana.close(), bob.close()]);
    }
  });

  it("sends CORS headers on the JSON endpoints to listed origins only", async () => {
    const room = uniqueRoom("cors");
    for (const path of ["/health", `/parties/main/${room}`, `/party/${room}`]) {
      const allowed = await fetch(`${server.url}${path}`, { headers: { Origin: APP } });
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get("access-control-allow-origin")).toBe(APP);
      expect(allowed.headers.get("vary")).toMatch(/Origin/);
      // Reading a summary is not a socket: it works from anywhere, just without CORS.
      const other = await fetch(`${server.url}${path}`, { headers: { Origin: "https://evil.example.com" } });
      expect(other.status).toBe(200);
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
    }
  });
});
