// The room with the real engine, in process, over a counting fake of Durable Object storage:
// the write budget (one put per accepted action, none otherwise), alarm multiplexing, reload,
// cleanup of abandoned rooms, and seat tokens stored only as hashes.
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ROOM_OPTIONS, PerudoRoom, parseTurnSeconds } from "../../party/room/room.ts";
import { cryptoDice } from "../../party/room/secrets.ts";
import { FakeRoomHost, type FakeConnection } from "../support/fake-room-host.ts";

const OPTIONS = { ...DEFAULT_ROOM_OPTIONS, turnMs: 30_000 };

async function openRoom(host: FakeRoomHost): Promise<PerudoRoom> {
  return PerudoRoom.load(() => "storage-room", host, OPTIONS);
}

async function send(room: PerudoRoom, socket: FakeConnection, message: unknown): Promise<void> {
  await room.message(socket, JSON.stringify(message));
}

async function seat(room: PerudoRoom, host: FakeRoomHost, name: string) {
  const socket = host.socket();
  room.connect(socket);
  await send(room, socket, { type: "join", name });
  const joined = socket.last("joined");
  if (!joined) throw new Error(`${name} was not seated: ${socket.frames.join("\n")}`);
  return { socket, playerId: joined.playerId, seatToken: joined.seatToken };
}

describe("room storage budget", () => {
  let host: FakeRoomHost;
  let room: PerudoRoom;

  beforeEach(async () => {
    host = new FakeRoomHost();
    room = await openRoom(host);
  });

  it("a fresh room stores nothing but schedules its own cleanup", () => {
    expect(host.storage.puts).toBe(0);
    expect(host.storage.setAlarms).toEqual([host.clock + OPTIONS.idleMs]);
  });

  it("writes exactly one document per accepted action and nothing for refused ones", async () => {
    const ana = await seat(room, host, "Ana");
    expect(host.storage.puts).toBe(1);
    const bob = await seat(room, host, "Bob");
    expect(host.storage.puts).toBe(2);

    // Refused: name taken, already joined, not host, bid in the lobby, spectator action.
    const spectator = host.socket();
    room.connect(spectator);
    await send(room, spectator, { type: "join", name: "ana" });
    await send(room, ana.socket, { type: "join", name: "Ana2" });
    await send(room, bob.socket, { type: "start" });
    await send(room, ana.socket, { type: "bid", quantity: 1, face: 3 });
    await send(room, spectator, { type: "dudo" });
    expect(spectator.last("error")?.code).toBe("NOT_SEATED");
    expect(ana.socket.last("error")?.code).toBe("WRONG_PHASE");
    expect(bob.socket.last("error")?.code).toBe("NOT_HOST");
    expect(host.storage.puts).toBe(2);

    const alarmsBeforeStart = host.storage.setAlarms.length;
    await send(room, ana.socket, { type: "start" });
    expect(host.storage.puts).toBe(3);
    // The turn deadline is earlier than the lobby's cleanup: the alarm moves once.
    expect(host.storage.setAlarms.length).toBe(alarmsBeforeStart + 1);
    const firstDeadline = host.storage.stored!.turnDeadline!;
    expect(host.storage.alarm).toBe(firstDeadline);

    // Bids: one put each, and no alarm write (later deadlines don't move the alarm).
    let state = ana.socket.last("state")!.state;
    const bidders = new Map([
      [ana.playerId, ana.socket],
      [bob.playerId, bob.socket],
    ]);
    for (let quantity = 1; quantity <= 4; quantity++) {
      host.clock += 1000;
      const bidder = bidders.get(state.turn!)!;
      await send(room, bidder, { type: "bid", quantity, face: 3 });
      state = bidder.last("state")!.state;
      expect(state.currentBid).toEqual({ playerId: bidder.seat, quantity, face: 3 });
    }
    expect(host.storage.puts).toBe(3 + 4);
    expect(host.storage.setAlarms.length).toBe(alarmsBeforeStart + 1);
    expect(host.storage.stored!.turnDeadline).toBe(host.clock + OPTIONS.turnMs);

    // A refused bid (out of turn, and too low) writes nothing.
    const waiting = state.turn === ana.playerId ? bob.socket : ana.socket;
    await send(room, waiting, { type: "bid", quantity: 9, face: 3 });
    await send(room, bidders.get(state.turn!)!, { type: "bid", quantity: 1, face: 3 });
    expect(waiting.last("error")?.code).toBe("NOT_YOUR_TURN");
    expect(bidders.get(state.turn!)!.last("error")?.code).toBe("ILLEGAL_BID");
    expect(host.storage.puts).toBe(7);

    // A call resolves the round and starts the next one: still one put.
    await send(room, bidders.get(state.turn!)!, { type: "dudo" });
    expect(host.storage.puts).toBe(8);
  });

  it("pings, bad frames, rate-limited frames, rejoins and reconnect storms write nothing", async () => {
    const ana = await seat(room, host, "Ana");
    await seat(room, host, "Bob");
    const writes = host.storage.writes;

    await send(room, ana.socket, { type: "ping" });
    await room.message(ana.socket, "not json");
    await room.message(ana.socket, new ArrayBuffer(4));
    for (let i = 0; i < 20; i++) await send(room, ana.socket, { type: "ping" });
    expect(ana.socket.messages.some((m) => m.type === "error" && m.code === "RATE_LIMITED")).toBe(true);

    for (let i = 0; i < 50; i++) {
      const socket = host.socket();
      room.connect(socket);
      await send(room, socket, { type: "rejoin", seatToken: ana.seatToken });
      expect(socket.seat).toBe(ana.playerId);
      socket.open = false;
      room.disconnect(socket);
    }
    expect(host.storage.writes).toBe(writes);
  });

  it("stores seat tokens only as SHA-256 hashes", async () => {
    const ana = await seat(room, host, "Ana");
    const stored = JSON.stringify(host.storage.stored);
    expect(stored).not.toContain(ana.seatToken);
    const hash = createHash("sha256").update(ana.seatToken).digest("hex");
    expect(host.storage.stored!.seats).toEqual({ [ana.playerId]: hash });
    expect(Buffer.from(ana.seatToken, "base64url").length).toBeGreaterThanOrEqual(16);
  });

  it("the alarm applies the timeout at the deadline and only re-arms when woken early", async () => {
    const ana = await seat(room, host, "Ana");
    await seat(room, host, "Bob");
    await send(room, ana.socket, { type: "start" });
    const opener = host.storage.stored!.game.turn;
    const deadline = host.storage.stored!.turnDeadline!;

    // A bid moves the deadline later; the alarm (still at the old deadline) fires early.
    host.clock += 5_000;
    const openerSocket = host.sockets.find((s) => s.seat === opener)!;
    await send(room, openerSocket, { type: "bid", quantity: 2, face: 5 });
    const movedDeadline = host.storage.stored!.turnDeadline!;
    expect(movedDeadline).toBe(host.clock + OPTIONS.turnMs);
    const puts = host.storage.puts;
    host.clock = deadline;
    await room.alarm();
    expect(host.storage.puts).toBe(puts);
    expect(host.storage.alarm).toBe(movedDeadline);

    // At the real deadline the engine acts for the player: one put, new deadline, broadcast.
    host.clock = movedDeadline;
    await room.alarm();
    expect(host.storage.puts).toBe(puts + 1);
    const state = ana.socket.last("state")!.state;
    expect(state.currentBid).toMatchObject({ quantity: 3, face: 5 });
    expect(state.turn).toBe(opener);
    expect(state.turnDeadline).toBe(movedDeadline + OPTIONS.turnMs);
    expect(host.storage.alarm).toBe(state.turnDeadline);
  });

  it("pauses the clock when nobody at the table is connected, and the first rejoin restarts it", async () => {
    const ana = await seat(room, host, "Ana");
    const bob = await seat(room, host, "Bob");
    await send(room, ana.socket, { type: "start" });
    const spectator = host.socket();
    room.connect(spectator);
    for (const player of [ana, bob]) {
      player.socket.open = false;
      room.disconnect(player.socket);
    }
    const before = structuredClone(host.storage.stored!);
    const puts = host.storage.puts;

    host.clock = before.turnDeadline!;
    await room.alarm();
    expect(host.storage.puts).toBe(puts + 1);
    const paused = host.storage.stored!;
    expect(paused.game).toEqual(before.game); // no timeout bid for absent players
    expect(paused.turnDeadline).toBeNull();
    expect(paused.cleanupAt).toBe(host.clock + OPTIONS.idleMs);
    expect(spectator.last("state")!.state.turnDeadline).toBeNull();

    // Rejoining restarts the clock (one write); further rejoins write nothing.
    host.clock += 60_000;
    const back = host.socket();
    room.connect(back);
    await send(room, back, { type: "rejoin", seatToken: bob.seatToken });
    expect(host.storage.puts).toBe(puts + 2);
    expect(host.storage.stored!.turnDeadline).toBe(host.clock + OPTIONS.turnMs);
    expect(host.storage.stored!.cleanupAt).toBeNull();
    expect(host.storage.alarm).toBe(host.clock + OPTIONS.turnMs);
    const again = host.socket();
    room.connect(again);
    await send(room, again, { type: "rejoin", seatToken: ana.seatToken });
    expect(host.storage.puts).toBe(puts + 2);

    // With a player connected, the deadline applies the timeout as usual.
    host.clock += OPTIONS.turnMs;
    await room.alarm();
    expect(host.storage.stored!.game.currentBid).toMatchObject({ quantity: 1, face: 2 });
  });

  it("reloads the same game from storage, without writing", async () => {
    const ana = await seat(room, host, "Ana");
    await seat(room, host, "Bob");
    await send(room, ana.socket, { type: "start" });
    const before = host.storage.stored!;
    const writes = host.storage.writes;

    const reloaded = await openRoom(host);
    expect(host.storage.writes).toBe(writes);
    const socket = host.socket();
    reloaded.connect(socket);
    await send(reloaded, socket, { type: "rejoin", seatToken: ana.seatToken });
    const view = socket.last("state")!.state;
    expect(view.you).toEqual({ id: ana.playerId, dice: before.game.players.find((p) => p.id === ana.playerId)!.dice });
    expect(view.turn).toBe(before.game.turn);
    expect(view.turnDeadline).toBe(before.turnDeadline);
  });

  it("after a hibernation wake-up (a fresh room object), open sockets keep their seats", async () => {
    const ana = await seat(room, host, "Ana");
    const bob = await seat(room, host, "Bob");
    // Hibernation drops the room object; the sockets (and their seat attachments) stay open.
    const woken = await openRoom(host);
    await send(woken, ana.socket, { type: "start" });
    const state = bob.socket.last("state")!.state;
    expect(state.phase).toBe("playing");
    expect(state.you?.id).toBe(bob.playerId);
    expect(state.players.map((p) => p.connected)).toEqual([true, true]);
    expect(woken.summary().players.map((p) => p.connected)).toEqual([true, true]);
  });

  it("re-arms a missing alarm on reload (e.g. storage restored without it)", async () => {
    const ana = await seat(room, host, "Ana");
    await seat(room, host, "Bob");
    await send(room, ana.socket, { type: "start" });
    host.storage.alarm = null;
    await openRoom(host);
    expect(host.storage.alarm).toBe(host.storage.stored!.turnDeadline);
  });

  it("deletes an abandoned lobby after the idle time, but not while someone is connected", async () => {
    const ana = await seat(room, host, "Ana");
    host.clock += OPTIONS.idleMs;
    await room.alarm();
    expect(host.storage.deletes).toBe(0);
    expect(host.storage.alarm).toBe(host.clock + OPTIONS.cleanupRetryMs);

    ana.socket.open = false;
    room.disconnect(ana.socket);
    host.clock += OPTIONS.cleanupRetryMs;
    await room.alarm();
    expect(host.storage.deletes).toBe(1);
    expect(host.storage.stored).toBeUndefined();
    expect(room.summary()).toEqual({ room: "storage-room", phase: "lobby", players: [] });
  });

  it("closes the older socket of a seat on rejoin and marks seats connected from live sockets", async () => {
    const ana = await seat(room, host, "Ana");
    const bob = await seat(room, host, "Bob");
    const second = host.socket();
    room.connect(second);
    await send(room, second, { type: "rejoin", seatToken: ana.seatToken });
    expect(ana.socket.closedWith?.code).toBe(4001);
    expect(second.seat).toBe(ana.playerId);
    room.disconnect(ana.socket);

    second.open = false;
    room.disconnect(second);
    const players = bob.socket.last("state")!.state.players;
    expect(players.map((p) => [p.name, p.connected])).toEqual([
      ["Ana", false],
      ["Bob", true],
    ]);
  });
});

describe("TURN_SECONDS", () => {
  it("accepts any positive number and falls back to 60", () => {
    expect(parseTurnSeconds("1")).toBe(1);
    expect(parseTurnSeconds("0.5")).toBe(0.5);
    expect(parseTurnSeconds("600")).toBe(600);
    for (const raw of [undefined, "", " ", "0", "-5", "abc", "Infinity"]) expect(parseTurnSeconds(raw)).toBe(60);
  });
});

describe("production dice", () => {
  it("rolls the requested number of faces 1-6, each about equally often", () => {
    expect(cryptoDice(0)).toEqual([]);
    expect(cryptoDice(5)).toHaveLength(5);
    const rolls = cryptoDice(60_000);
    expect(rolls).toHaveLength(60_000);
    const counts = [1, 2, 3, 4, 5, 6].map((face) => rolls.filter((die) => die === face).length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(60_000);
    // Expected 10 000 each, standard deviation ~91: a 6-sigma band never fails by chance.
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(550);
  });
});
