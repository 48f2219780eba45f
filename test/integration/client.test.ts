// The client library (client/) against real workerd, through a loopback TCP proxy that can drop
// every socket at once and hold reconnections off (what a deploy does), without restarting
// workerd. What is under test is the client's behaviour: the seat survives drops, a move queued
// while offline reaches the room after the rejoin (never before it), 4001 stops the old client,
// UNKNOWN_SEAT forgets the token, and "origin refused" is told apart from "unreachable".
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { memorySeatStore, type PerudoClient } from "../../client/index.ts";
import { connectFromNode } from "../../client/node.ts";
import { freePort, startDevServer, type DevServer } from "../support/dev-server.ts";
import { nextEvent, untilState, untilStatus } from "../support/client-events.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";
import { testClientIp, uniqueRoom } from "../support/ws-client.ts";

const APP = "https://app.example.com";
let server: DevServer;
let proxy: TcpProxy;
const clients: PerudoClient[] = [];

function open(room: string, options: { host?: string; origin?: string; store?: ReturnType<typeof memorySeatStore> } = {}): PerudoClient {
  const client = connectFromNode({
    host: options.host ?? proxy.host,
    room,
    origin: options.origin ?? APP,
    store: options.store ?? memorySeatStore(),
    reconnect: { minDelay: 100, jitter: 100, maxDelay: 1_000 },
    // Its own address, so the Worker's per-IP upgrade limit never meets this file's reconnects.
    headers: { "CF-Connecting-IP": testClientIp() },
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startDevServer({ vars: { ALLOWED_ORIGINS: APP } });
  proxy = await startTcpProxy(server.port);
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  proxy.resume();
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

describe("client library", () => {
  it("seats players, plays moves with their outcomes, and validates every frame", async () => {
    const room = uniqueRoom("client");
    const ana = open(room);
    const bob = open(room);
    const invalid: string[] = [];
    ana.on("invalid", ({ reason }) => invalid.push(reason));
    expect(await ana.join("Ana")).toEqual({ ok: true });
    expect(await bob.join("Bob")).toEqual({ ok: true });
    expect(ana.playerId).toMatch(/^p_/);
    const refused = await bob.start();
    expect(refused).toMatchObject({ ok: false, code: "NOT_HOST" });
    expect(await ana.start()).toEqual({ ok: true });
    const playing = await untilState(ana, (s) => s.phase === "playing");
    expect(playing.you?.dice).toHaveLength(5);
    const toAct = playing.turn === ana.playerId ? ana : bob;
    expect(await toAct.bid(1, 1)).toMatchObject({ ok: false, code: "ILLEGAL_BID" });
    expect(await toAct.bid(2, 3)).toEqual({ ok: true });
    expect(toAct.state?.currentBid).toEqual({ playerId: toAct.playerId, quantity: 2, face: 3 });
    const left = toAct.turnTimeLeft();
    expect(left).toBeGreaterThan(50_000);
    expect(left).toBeLessThanOrEqual(60_000);
    expect(invalid).toEqual([]);
  });

  it("after every socket drops, rejoins first, then sends the move queued while offline", async () => {
    const room = uniqueRoom("client-drop");
    const ana = open(room);
    const bob = open(room);
    await ana.join("Ana");
    await bob.join("Bob");
    await ana.start();
    const playing = await untilState(ana, (s) => s.phase === "playing");
    const [toAct, other] = playing.turn === ana.playerId ? [ana, bob] : [bob, ana];
    const seatBefore = toAct.playerId;

    proxy.cut({ hold: true });
    await untilStatus(toAct, "connecting");
    // Queued while offline: with a bare partysocket this reached the room before the rejoin.
    const queued = toAct.bid(3, 4);
    proxy.resume();
    expect(await queued).toEqual({ ok: true });
    expect(toAct.playerId).toBe(seatBefore);
    // Both sockets were cut: `other` may see the bid before its own rejoin lands, so wait for
    // the state that holds both (a timeout here means a seat never came back).
    const seen = await untilState(other, (s) => s.currentBid?.quantity === 3 && s.players.every((p) => p.connected));
    expect(seen.currentBid).toEqual({ playerId: seatBefore, quantity: 3, face: 4 });
    expect(seen.players.map((p) => p.connected)).toEqual([true, true]);
  });

  it("a move queued offline is not sent once the game has moved past it (STALE), and the seat comes back", async () => {
    const room = uniqueRoom("client-stale");
    const store = memorySeatStore();
    const ana = open(room, { store });
    const bob = open(room);
    await ana.join("Ana");
    await bob.join("Bob");
    await ana.start();
    const playing = await untilState(ana, (s) => s.phase === "playing");
    if (playing.turn !== ana.playerId) {
      expect(await bob.bid(1, 5)).toEqual({ ok: true });
      await untilState(ana, (s) => s.turn === ana.playerId);
    }
    proxy.cut({ hold: true });
    await untilStatus(ana, "connecting");
    const queued = ana.bid(9, 6);
    // Meanwhile Ana's seat plays on from another client (straight to the server, not through the proxy).
    const direct = `127.0.0.1:${server.port}`;
    const otherDevice = memorySeatStore();
    otherDevice.save(`${direct}/${room}`, store.load(`${proxy.host}/${room}`)!);
    const elsewhere = open(room, { host: direct, store: otherDevice });
    await untilStatus(elsewhere, "ready");
    expect(await elsewhere.bid(8, 6)).toEqual({ ok: true });
    proxy.resume();
    expect(await queued).toMatchObject({ ok: false, code: "STALE" });
    // The queued bid never reached the room: the standing bid is the one made elsewhere.
    const now = await untilState(bob, (s) => s.currentBid?.quantity === 8);
    expect(now.currentBid).toEqual({ playerId: ana.playerId, quantity: 8, face: 6 });
    await untilStatus(ana, "ready");
    expect(ana.playerId).toBe(elsewhere.playerId);
  });

  it("a second client with the same seat takes it over; the first stops for good (4001)", async () => {
    const room = uniqueRoom("client-takeover");
    const store = memorySeatStore();
    const first = open(room, { store });
    await first.join("Ana");
    const stopped = untilStatus(first, "taken-over");
    const second = open(room, { store });
    await nextEvent(second, "seated");
    await stopped;
    expect(second.playerId).toBe(first.playerId);
    expect(await first.bid(1, 2)).toMatchObject({ ok: false, code: "CLOSED" });
    // And it stays stopped: the seat is still with the second client a while later.
    proxy.cut();
    await untilStatus(second, "ready");
    expect(first.status).toBe("taken-over");
  });

  it("forgets a token the room doesn't know (UNKNOWN_SEAT) and offers join", async () => {
    const room = uniqueRoom("client-unknown");
    const store = memorySeatStore();
    store.save(`${proxy.host}/${room}`, { playerId: "p_gone", seatToken: "not-a-valid-token" });
    const client = open(room, { store });
    const unseated = await nextEvent(client, "unseated");
    expect(unseated.reason).toMatch(/seat token/);
    expect(client.playerId).toBeNull();
    expect(store.load(`${proxy.host}/${room}`)).toBeNull();
    expect(await client.join("Ana")).toEqual({ ok: true });
  });

  it("tells an origin the server refuses apart from a server that is not there", async () => {
    const room = uniqueRoom("client-origin");
    const refused = open(room, { origin: "https://evil.example.com" });
    await untilStatus(refused, "refused", 30_000);
    const noOrigin = connectFromNode({ host: proxy.host, room, store: memorySeatStore(), reconnect: { minDelay: 100, jitter: 100, maxDelay: 1_000 } });
    clients.push(noOrigin);
    await untilStatus(noOrigin, "refused", 30_000);

    const nobody = open(room, { host: `127.0.0.1:${await freePort()}` });
    await untilStatus(nobody, "unreachable", 30_000);
    expect(refused.status).toBe("refused");
  });
});
