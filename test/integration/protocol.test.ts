// Protocol v1 on real workerd: HTTP endpoints, both URL layouts, frame validation, rate limit,
// every error code reachable through a socket, spectators, dice privacy and seat reconnection.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { ClientPool, expectPrivateStates, expectRefused, startGame, type Seat } from "../support/table.ts";
import { TestClient, roomUrl, uniqueRoom, upgradeStatus } from "../support/ws-client.ts";

let server: DevServer;
const pool = new ClientPool();

beforeAll(async () => {
  server = await startDevServer({ vars: { BUILD_ID: "it-protocol" } });
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.stop();
});

async function getJson(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; body: unknown }> {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

describe("HTTP", () => {
  it("GET /health reports the build from the BUILD_ID var", async () => {
    expect(await getJson("/health")).toEqual({
      status: 200,
      type: "application/json",
      body: { ok: true, name: "perudo-vibe", version: "it-protocol" },
    });
  });

  it("answers anything else with a 404 JSON body", async () => {
    // (`GET /` is the play page: test/browser/play-page.test.ts.)
    for (const [path, method] of [
      ["/nope", "GET"],
      ["/parties/other/room1", "GET"],
      ["/parties/main", "GET"],
      ["/parties/main/room1", "POST"],
      ["/party/room1", "DELETE"],
      ["/health", "POST"],
    ] as const) {
      const { status, type, body } = await getJson(path, { method });
      expect({ path, method, status, type }).toEqual({ path, method, status: 404, type: "application/json" });
      expect(body).toMatchObject({ error: "not_found" });
    }
  });

  it("refuses malformed room ids with 400, over HTTP and before a socket opens", async () => {
    const badIds = ["a".repeat(65), "bad.id", "a%20b", "a/b", "caf%C3%A9", ""];
    for (const id of badIds) {
      for (const prefix of ["/parties/main/", "/party/"]) {
        const { status, body } = await getJson(`${prefix}${id}`);
        expect({ id, prefix, status }).toEqual({ id, prefix, status: 400 });
        expect(body).toMatchObject({ error: "bad_room_id" });
      }
      expect(await upgradeStatus(`${server.url.replace("http", "ws")}/parties/main/${id}`)).toBe(400);
    }
    // The longest valid id, and every allowed character, are fine.
    expect((await getJson(`/party/${"Az09_-".repeat(10)}abcd`)).status).toBe(200);
  });

  it("summarises a room on both URL layouts without dice or tokens", async () => {
    const room = uniqueRoom("summary");
    const [ana, bob] = await pool.table(server.url, room, ["Ana", "Bob"]);
    await startGame([ana!, bob!]);
    await bob!.client.close();
    await ana!.client.state((s) => s.players[1]?.connected === false);

    for (const path of [`/parties/main/${room}`, `/party/${room}`]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        room,
        phase: "playing",
        players: [
          { name: "Ana", diceCount: 5, connected: true },
          { name: "Bob", diceCount: 5, connected: false },
        ],
      });
      expect(text).not.toContain(ana!.seatToken);
      expect(text).not.toContain(ana!.playerId);
    }
  });

  it("an unknown room is an empty lobby", async () => {
    const room = uniqueRoom("empty");
    expect((await getJson(`/parties/main/${room}`)).body).toEqual({ room, phase: "lobby", players: [] });
  });

  it("accepts any Origin when ALLOWED_ORIGINS is empty", async () => {
    const url = roomUrl(server.url, uniqueRoom("origin"));
    expect(await upgradeStatus(url, { origin: "https://anything.example" })).toBe(101);
    expect(await upgradeStatus(url)).toBe(101);
  });
});

describe("connecting", () => {
  it("greets with welcome (protocol 1.1) and the public state, stamped with the server's clock", async () => {
    const room = uniqueRoom("welcome");
    const before = Date.now();
    const client = await pool.connect(server.url, room, "spectator");
    const serverTime = client.initialState.serverTime;
    // Same machine, same clock: the stamp lies between the connect and now.
    expect(serverTime).toBeGreaterThanOrEqual(before - 5);
    expect(serverTime).toBeLessThanOrEqual(Date.now() + 5);
    expect(client.received.slice(0, 2)).toEqual([
      { type: "welcome", protocol: 1, minor: 1, room },
      {
        type: "state",
        state: {
          room,
          phase: "lobby",
          round: 0,
          hostId: null,
          players: [],
          you: null,
          turn: null,
          currentBid: null,
          palifico: false,
          lastRound: null,
          winnerId: null,
          turnDeadline: null,
          serverTime,
        },
      },
    ]);
  });

  it("both URL layouts reach the same room", async () => {
    const room = uniqueRoom("layouts");
    const ana = await pool.seat(server.url, room, "Ana", "party");
    const watcher = await pool.connect(server.url, room, "watcher", "parties");
    expect(watcher.initialState.players.map((p) => p.id)).toEqual([ana.playerId]);
    const bob = await pool.seat(server.url, room, "Bob", "parties");
    const seen = await ana.client.state((s) => s.players.length === 2);
    expect(seen.players.map((p) => p.id)).toEqual([ana.playerId, bob.playerId]);
    expect(ana.client.welcome.room).toBe(room);
  });

  it("seats a joiner: joined (id and a >= 128-bit token) to it alone, then state to everyone", async () => {
    const room = uniqueRoom("join");
    const watcher = await pool.connect(server.url, room, "watcher");
    const client = await pool.connect(server.url, room, "ana");
    client.send({ type: "join", name: "  Ana  " });
    const joined = await client.next("joined");
    expect(joined.playerId).toMatch(/\S/);
    expect(Buffer.from(joined.seatToken, "base64url").length).toBeGreaterThanOrEqual(16);
    const state = await client.state((s) => s.players.length === 1);
    expect(state.you).toEqual({ id: joined.playerId, dice: [] });
    expect(state.hostId).toBe(joined.playerId);
    expect(state.players).toEqual([{ id: joined.playerId, name: "Ana", diceCount: 0, connected: true, eliminated: false }]);

    const watched = await watcher.state((s) => s.players.length === 1);
    expect(watched.you).toBeNull();
    await watcher.sync();
    expect(watcher.received.some((m) => m.type === "joined")).toBe(false);
    expect(JSON.stringify(watcher.received)).not.toContain(joined.seatToken);
  });

  it("answers a client's close without a status code with a normal closure", async () => {
    // Browsers' close() sends no status; without the server's reply the client would wait for
    // its close timeout and see 1006.
    const client = await pool.connect(server.url, uniqueRoom("close"), "closer");
    client.socket.close();
    expect((await client.closed).code).toBe(1000);
  });

  it("accepts partysocket's _pk connection id, and ignores a malformed one instead of failing", async () => {
    const room = uniqueRoom("pk");
    const base = roomUrl(server.url, room);
    for (const query of [`?_pk=${crypto.randomUUID()}`, `?_pk=${"x".repeat(300)}`, "?_pk=%00%01", "?other=1"]) {
      const client = pool.track(await TestClient.connect(`${base}${query}`, { label: query }));
      expect(client.welcome).toEqual({ type: "welcome", protocol: 1, minor: 1, room });
      expect(client.received.some((m) => JSON.stringify(m).includes("at "))).toBe(false);
    }
  });

  it("answers ping with pong", async () => {
    const client = await pool.connect(server.url, uniqueRoom("ping"), "pinger");
    client.send({ type: "ping" });
    expect(await client.next("pong")).toEqual({ type: "pong" });
  });
});

describe("frames", () => {
  it("refuses binary, oversize, non-JSON and ill-typed frames with BAD_MESSAGE, changing nothing", async () => {
    const room = uniqueRoom("frames");
    const ana = await pool.seat(server.url, room, "Ana");
    const watcher = await pool.connect(server.url, room, "watcher");
    const pad = (bytes: number) => {
      const base = JSON.stringify({ type: "ping", pad: "" });
      return JSON.stringify({ type: "ping", pad: "x".repeat(bytes - base.length) });
    };

    const bad: (string | Buffer)[] = [
      Buffer.from(JSON.stringify({ type: "ping" })), // binary, even if it holds JSON
      pad(1025),
      JSON.stringify({ type: "join", name: "é".repeat(600) }), // 600 chars but > 1024 UTF-8 bytes
      "not json",
      "{",
      "null",
      "[]",
      '"ping"',
      "{}",
      JSON.stringify({ type: "shout" }),
      JSON.stringify({ type: 7 }),
      JSON.stringify({ type: "bid", quantity: "3", face: 4 }),
      JSON.stringify({ type: "bid", quantity: 3 }),
      JSON.stringify({ type: "bid", quantity: 0, face: 4 }),
      JSON.stringify({ type: "bid", quantity: 1.5, face: 4 }),
      JSON.stringify({ type: "bid", quantity: 3, face: 7 }),
      JSON.stringify({ type: "bid", quantity: 3, face: 0 }),
      JSON.stringify({ type: "join" }),
      JSON.stringify({ type: "join", name: 42 }),
      JSON.stringify({ type: "join", name: "   " }),
      JSON.stringify({ type: "join", name: "x".repeat(21) }),
      JSON.stringify({ type: "join", name: "bad\nname" }),
      JSON.stringify({ type: "rejoin", seatToken: 123 }),
      JSON.stringify({ type: "rejoin", seatToken: "" }),
    ];
    // Spread over a few connections (each frame plus its check is two messages), so the rate
    // limit never gets involved; each connection is checked to stay usable afterwards.
    const senders: TestClient[] = [ana.client];
    for (const [index, frame] of bad.entries()) {
      if (index > 0 && index % 4 === 0) senders.push(await pool.connect(server.url, room, `sender${index}`));
      const sender = senders.at(-1)!;
      sender.sendRaw(frame);
      const error = await sender.next("error");
      expect({ frame: String(frame).slice(0, 40), code: error.code }).toEqual({
        frame: String(frame).slice(0, 40),
        code: "BAD_MESSAGE",
      });
      expect(error.message).toMatch(/\w/);
      // The room answers in order, so a pong here means nothing else followed the error.
      const arrived = await sender.sync();
      expect(arrived).toEqual([]);
    }
    expect(await watcher.sync()).toEqual([]);
    for (const sender of senders) expect(sender.socket.readyState).toBe(sender.socket.OPEN);
    expect(await ana.client.sync()).toEqual([]);

    // Exactly 1024 bytes is fine; extra fields are ignored; names are trimmed to 20.
    ana.client.sendRaw(pad(1024));
    await ana.client.next("pong");
    const bob = await pool.connect(server.url, room, "bob");
    bob.send({ type: "join", name: ` ${"B".repeat(20)} `, extra: true });
    const joined = await bob.next("joined");
    const state = await bob.state((s) => s.you?.id === joined.playerId);
    expect(state.players[1]?.name).toBe("B".repeat(20));
  });

  it("rate-limits to 10 messages per second per connection, and the connection stays usable", async () => {
    const room = uniqueRoom("rate");
    const client = await pool.connect(server.url, room, "flooder", "parties", { pace: false });
    const other = await pool.connect(server.url, room, "other");
    // One burst: 10 pings fill the window, then a join that must be dropped (not applied).
    for (let i = 0; i < 10; i++) client.send({ type: "ping" });
    client.send({ type: "join", name: "Flood" });
    for (let i = 0; i < 9; i++) client.send({ type: "ping" });

    const replies = [];
    for (let i = 0; i < 20; i++) replies.push(await client.nextOf(["pong", "error", "joined", "state"]));
    const pongs = replies.filter((m) => m.type === "pong").length;
    const limited = replies.filter((m) => m.type === "error" && m.code === "RATE_LIMITED");
    expect({ pongs, limited: limited.length }).toEqual({ pongs: 10, limited: 10 });
    expect(replies.some((m) => m.type === "joined" || m.type === "state")).toBe(false);

    // Other connections are not affected.
    other.send({ type: "ping" });
    await other.next("pong");
    const summary = (await (await fetch(`${server.url}/parties/main/${room}`)).json()) as { players: unknown[] };
    expect(summary.players).toEqual([]);

    // The limit is a one-second window, so waiting it out is the point here, not a guess.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const { playerId } = await client.join("Flood");
    expect(playerId).toMatch(/\S/);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });
});

describe("error codes", () => {
  it("lobby: NOT_SEATED, UNKNOWN_SEAT, NAME_TAKEN, ALREADY_JOINED, NOT_HOST, NOT_ENOUGH_PLAYERS, WRONG_PHASE, ROOM_FULL", async () => {
    const room = uniqueRoom("lobby-errors");
    const ana = await pool.seat(server.url, room, "Ana");
    const spectator = await pool.connect(server.url, room, "spectator");
    const everyone = () => [ana.client, spectator];

    for (const type of ["start", "dudo", "calza", "leave"] as const) {
      await expectRefused(spectator, { type }, "NOT_SEATED", everyone());
    }
    await expectRefused(spectator, { type: "bid", quantity: 1, face: 2 }, "NOT_SEATED", everyone());
    // UNKNOWN_SEAT is only ever about a token.
    await expectRefused(spectator, { type: "rejoin", seatToken: "not-a-real-token" }, "UNKNOWN_SEAT", everyone());
    await expectRefused(spectator, { type: "rejoin", seatToken: withLastCharFlipped(ana.seatToken) }, "UNKNOWN_SEAT");
    await expectRefused(spectator, { type: "join", name: " ANA " }, "NAME_TAKEN", everyone());
    await expectRefused(ana.client, { type: "join", name: "Ana again" }, "ALREADY_JOINED", everyone());
    await expectRefused(ana.client, { type: "start" }, "NOT_ENOUGH_PLAYERS", everyone());
    await expectRefused(ana.client, { type: "bid", quantity: 1, face: 2 }, "WRONG_PHASE", everyone());
    await expectRefused(ana.client, { type: "dudo" }, "WRONG_PHASE", everyone());

    const others: Seat[] = [];
    for (const name of ["Bob", "Cy", "Di", "Ed", "Flo"]) others.push(await pool.seat(server.url, room, name));
    await expectRefused(others[0]!.client, { type: "start" }, "NOT_HOST");
    await expectRefused(spectator, { type: "join", name: "Gus" }, "ROOM_FULL", [ana.client]);
  });

  it("playing: WRONG_PHASE, NOT_YOUR_TURN, NO_BID, ILLEGAL_BID, CALZA_NOT_ALLOWED", async () => {
    const room = uniqueRoom("play-errors");
    const seats = await pool.table(server.url, room, ["Ana", "Bob"]);
    const [state] = await startGame(seats);
    const current = seats.find((s) => s.playerId === state!.turn)!;
    const waiting = seats.find((s) => s.playerId !== state!.turn)!;
    const clients = seats.map((s) => s.client);

    await expectRefused(current.client, { type: "start" }, "WRONG_PHASE", clients);
    const late = await pool.connect(server.url, room, "late");
    await expectRefused(late, { type: "join", name: "Late" }, "WRONG_PHASE", clients);
    await expectRefused(waiting.client, { type: "bid", quantity: 1, face: 3 }, "NOT_YOUR_TURN", clients);
    await expectRefused(current.client, { type: "dudo" }, "NO_BID", clients);
    await expectRefused(current.client, { type: "calza" }, "NO_BID", clients);
    await expectRefused(current.client, { type: "bid", quantity: 1, face: 1 }, "ILLEGAL_BID", clients);

    current.client.send({ type: "bid", quantity: 2, face: 4 });
    await waiting.client.state((s) => s.currentBid?.quantity === 2);
    await expectRefused(waiting.client, { type: "bid", quantity: 2, face: 3 }, "ILLEGAL_BID", clients);
    await expectRefused(waiting.client, { type: "bid", quantity: 1, face: 6 }, "ILLEGAL_BID", clients);
    await expectRefused(waiting.client, { type: "calza" }, "CALZA_NOT_ALLOWED", clients);
    await expectRefused(current.client, { type: "dudo" }, "NOT_YOUR_TURN", clients);
  });
});

describe("seats", () => {
  it("keeps a seat through a disconnect, and rejoin reclaims it (closing the older socket)", async () => {
    const room = uniqueRoom("rejoin");
    const [ana, bob] = await pool.table(server.url, room, ["Ana", "Bob"]);
    const [anaState] = await startGame([ana!, bob!]);

    await ana!.client.close();
    const seenByBob = await bob!.client.state((s) => s.players[0]?.connected === false);
    expect(seenByBob.players.map((p) => p.name)).toEqual(["Ana", "Bob"]);

    const back = await pool.connect(server.url, room, "ana-back");
    expect(back.initialState.you).toBeNull();
    back.send({ type: "rejoin", seatToken: ana!.seatToken });
    const rejoined = await back.state((s) => s.you !== null);
    expect(rejoined.you).toEqual(anaState!.you);
    expect(rejoined.turn).toBe(anaState!.turn);
    expect(rejoined.players[0]?.connected).toBe(true);
    await bob!.client.state((s) => s.players[0]?.connected === true);

    // A third socket takes the seat over: the second one is closed with 4001.
    const third = await pool.connect(server.url, room, "ana-third", "party");
    third.send({ type: "rejoin", seatToken: ana!.seatToken });
    expect((await back.closed).code).toBe(4001);
    expect((await third.state((s) => s.you !== null)).you).toEqual(anaState!.you);

    // The reclaimed seat plays: if it's Ana's turn, she can bid from the new socket.
    if (anaState!.turn === ana!.playerId) {
      third.send({ type: "bid", quantity: 1, face: 5 });
      expect((await bob!.client.state((s) => s.currentBid !== null)).currentBid).toEqual({
        playerId: ana!.playerId,
        quantity: 1,
        face: 5,
      });
    }
    expect(JSON.stringify(bob!.client.received)).not.toContain(ana!.seatToken);
  });

  it("a move that arrives before the rejoin is NOT_SEATED, and the token still works after it", async () => {
    const room = uniqueRoom("early-move");
    const [ana, bob] = await pool.table(server.url, room, ["Ana", "Bob"]);
    ana!.client.send({ type: "start" });
    await bob!.client.state((s) => s.phase === "playing");
    // A fresh connection sends a move first (what a bare partysocket does with its queue).
    const again = await pool.connect(server.url, room, "ana-again");
    await expectRefused(again, { type: "bid", quantity: 2, face: 3 }, "NOT_SEATED");
    again.send({ type: "rejoin", seatToken: ana!.seatToken });
    const back = await again.state((s) => s.you !== null);
    expect(back.you?.id).toBe(ana!.playerId);
  });

  it("a seat that left can't be reclaimed", async () => {
    const room = uniqueRoom("left");
    const [ana, bob] = await pool.table(server.url, room, ["Ana", "Bob"]);
    ana!.client.send({ type: "leave" });
    const after = await ana!.client.state((s) => s.players.length === 1);
    expect(after.you).toBeNull();
    expect(after.hostId).toBe(bob!.playerId);
    const other = await pool.connect(server.url, room, "ana-again");
    await expectRefused(other, { type: "rejoin", seatToken: ana!.seatToken }, "UNKNOWN_SEAT");
  });

  it("spectators see the public view only, and nobody sees another's dice outside lastRound", async () => {
    const room = uniqueRoom("privacy");
    const seats = await pool.table(server.url, room, ["Ana", "Bob", "Cy"]);
    const spectator = await pool.connect(server.url, room, "spectator");
    const firstStates = await startGame(seats);
    const first = firstStates[0];
    const bySeat = new Map(seats.map((s) => [s.playerId, s]));
    const opener = bySeat.get(first!.turn!)!;
    opener.client.send({ type: "bid", quantity: 1, face: 3 });
    const next = bySeat.get((await opener.client.state((s) => s.currentBid !== null)).turn!)!;
    next.client.send({ type: "dudo" });
    const resolved = await spectator.state((s) => s.lastRound !== null);
    expect(resolved.you).toBeNull();
    expect(Object.keys(resolved.lastRound!.dice).sort()).toEqual(seats.map((s) => s.playerId).sort());
    // What each player was shown as their own round-1 dice is exactly what the reveal shows.
    seats.forEach((seat, index) => {
      expect(resolved.lastRound!.dice[seat.playerId]).toEqual(firstStates[index]!.you!.dice);
      expect(firstStates[index]!.you!.id).toBe(seat.playerId);
    });
    for (const seat of seats) expectPrivateStates(seat.client, seat.playerId);
    expectPrivateStates(spectator, null);
  });
});

/** The same token with its last character changed, so it is always a different (wrong) token. */
function withLastCharFlipped(token: string): string {
  return token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
}
