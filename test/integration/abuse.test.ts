// Hostile load on real workerd: a bounded room (MAX_CONNECTIONS_PER_ROOM) refuses upgrades with
// a JSON 503 before the socket opens, yet a seated player coming back always gets in (the oldest
// spectator makes room, closed with 4002); and the edge rate limits (the Workers Rate Limiting
// binding, simulated by `wrangler dev` with the limits of wrangler.jsonc) refuse upgrades and
// summaries per client IP and per room with a JSON 429 and Retry-After.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CloseCode } from "../../party/protocol.ts";
import { EDGE_LIMITS } from "../../party/room/edge-limits.ts";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { ClientPool } from "../support/table.ts";
import { TestClient, roomUrl, testClientIp, tryUpgrade, uniqueRoom } from "../support/ws-client.ts";

const MAX_CONNECTIONS = 8; // six seats and a spectators' share of two
let server: DevServer;
const pool = new ClientPool();

beforeAll(async () => {
  server = await startDevServer({ vars: { MAX_CONNECTIONS_PER_ROOM: String(MAX_CONNECTIONS) } });
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.stop();
});

async function spectator(room: string, label: string): Promise<TestClient> {
  return pool.track(await TestClient.connect(roomUrl(server.url, room), { label }));
}

describe("bounded rooms", () => {
  it("refuses an upgrade to a full room with a JSON 503 naming the limit, before the socket opens", async () => {
    const room = uniqueRoom("full");
    await pool.table(server.url, room, ["Ana", "Bob", "Cy", "Di", "Ed", "Flo"]);
    await spectator(room, "watcher-1");
    await spectator(room, "watcher-2");

    const refused = await tryUpgrade(roomUrl(server.url, room));
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe("10");
    const body = JSON.parse(refused.body) as { error: string; message: string };
    expect(body.error).toBe("room_full");
    expect(body.message).toContain(`at most ${MAX_CONNECTIONS} connections`);
    // Another room is not affected.
    expect((await tryUpgrade(roomUrl(server.url, uniqueRoom("other")))).status).toBe(101);
  });

  it("a seated player coming back gets in even when spectators filled the room: the oldest spectator makes room", async () => {
    const room = uniqueRoom("reserve");
    const [ana, bob] = await pool.table(server.url, room, ["Ana", "Bob"]);
    const watchers: TestClient[] = [];
    for (let i = 1; i <= MAX_CONNECTIONS - 2; i++) watchers.push(await spectator(room, `watcher-${i}`));

    // Bob's connection drops and a spectator takes the free place at once.
    await bob!.client.close();
    watchers.push(await spectator(room, "latecomer"));
    expect(await ana!.client.state((s) => s.players[1]?.connected === false)).toBeTruthy();

    // Bob reconnects to a full room: admitted, and the oldest spectator is closed with ROOM_FULL.
    const back = pool.track(await TestClient.connect(roomUrl(server.url, room), { label: "bob-back" }));
    expect(await watchers[0]!.closed).toEqual({ code: CloseCode.ROOM_FULL, reason: expect.stringMatching(/room full/) });
    back.send({ type: "rejoin", seatToken: bob!.seatToken });
    const state = await back.state((s) => s.you?.id === bob!.playerId);
    expect(state.players.every((p) => p.connected)).toBe(true);
    // Everyone else is still connected.
    for (const watcher of watchers.slice(1)) await watcher.sync();
  });
});

describe("edge rate limits", () => {
  /** Miniflare counts in fixed windows (period-aligned): start well inside one. */
  async function freshWindow(periodSeconds: number, needSeconds: number): Promise<void> {
    const intoWindow = (Date.now() / 1000) % periodSeconds;
    if (periodSeconds - intoWindow < needSeconds) {
      await new Promise((resolve) => setTimeout(resolve, (periodSeconds - intoWindow) * 1000 + 50));
    }
  }

  it("refuses WebSocket upgrades per client IP beyond the limit with a JSON 429 and Retry-After", async () => {
    const [perIp] = EDGE_LIMITS.upgrade;
    await freshWindow(perIp.period, 30);
    const clientIp = testClientIp();
    const room = uniqueRoom("ip-limit");
    for (let i = 0; i < perIp.limit; i++) {
      expect((await tryUpgrade(roomUrl(server.url, `${room}-${i % 4}`), { clientIp })).status, `upgrade ${i + 1}`).toBe(101);
    }
    const refused = await tryUpgrade(roomUrl(server.url, room), { clientIp });
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe(String(perIp.period));
    expect(JSON.parse(refused.body)).toMatchObject({ error: "rate_limited", limit: perIp.limit, periodSeconds: perIp.period });
    // Another address still gets in.
    expect((await tryUpgrade(roomUrl(server.url, room))).status).toBe(101);
  });

  it("refuses WebSocket upgrades per room beyond the limit, whatever the address", async () => {
    const [, perRoom] = EDGE_LIMITS.upgrade;
    await freshWindow(perRoom.period, 30);
    const room = uniqueRoom("room-limit");
    for (let i = 0; i < perRoom.limit; i++) {
      // Each from a new address; the room is bounded too, so some are 503 (counted all the same).
      expect([101, 503], `upgrade ${i + 1}`).toContain((await tryUpgrade(roomUrl(server.url, room))).status);
    }
    const refused = await tryUpgrade(roomUrl(server.url, room));
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).message).toMatch(/connection attempts to this room/);
    expect((await tryUpgrade(roomUrl(server.url, uniqueRoom("room-limit-other")))).status).toBe(101);
  });

  it("refuses room summaries per client IP and per room with a JSON 429 and Retry-After", async () => {
    const [perIp, perRoom] = EDGE_LIMITS.summary;
    await freshWindow(60, 30);
    const summary = (room: string, clientIp: string) =>
      fetch(`${server.url}/parties/main/${room}`, { headers: { "CF-Connecting-IP": clientIp } });

    const clientIp = testClientIp();
    const rooms = [uniqueRoom("summary-a"), uniqueRoom("summary-b")];
    const statuses = await Promise.all(
      Array.from({ length: perIp.limit }, async (_, i) => (await summary(rooms[i % 2]!, clientIp)).status),
    );
    expect(new Set(statuses)).toEqual(new Set([200]));
    const refused = await summary(rooms[0]!, clientIp);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe(String(perIp.period));
    expect(refused.headers.get("content-type")).toBe("application/json");
    expect(await refused.json()).toMatchObject({ error: "rate_limited", limit: perIp.limit });

    const busy = uniqueRoom("summary-busy");
    let ok = 0;
    for (let batch = 0; batch < perRoom.limit / 50; batch++) {
      const results = await Promise.all(Array.from({ length: 50 }, async () => (await summary(busy, testClientIp())).status));
      ok += results.filter((status) => status === 200).length;
    }
    expect(ok).toBe(perRoom.limit);
    const roomRefused = await summary(busy, testClientIp());
    expect(roomRefused.status).toBe(429);
    expect(((await roomRefused.json()) as { message: string }).message).toMatch(/summary requests for this room/);
  });
});
