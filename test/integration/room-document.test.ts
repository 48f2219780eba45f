// The stored room document across releases, with the real room and engine in process: a record
// written by the 1.0 release (schema version 1) loads and the game goes on; a record this build
// cannot read is kept for inspection, logged, and replaced by a fresh lobby that tells clients
// why (ROOM_RESET); and a room that starts with no socket gives the player to act the rollout
// grace, while a hibernation wake-up (sockets still attached) does not.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DOCUMENT_VERSION, UNREADABLE_KEY_PREFIX, type RoomDocument } from "../../party/room/document.ts";
import { DEFAULT_ROOM_OPTIONS, PerudoRoom } from "../../party/room/room.ts";
import { FakeRoomHost, type FakeConnection } from "../support/fake-room-host.ts";

const OPTIONS = { ...DEFAULT_ROOM_OPTIONS, turnMs: 60_000, rolloutGraceMs: 15_000 };

interface Fixture {
  seatTokens: Record<string, string>;
  document: Omit<RoomDocument, "version"> & { version: 1 };
}

async function fixture(): Promise<Fixture> {
  const text = await readFile(path.join(import.meta.dirname, "../fixtures/room-document-v1.json"), "utf8");
  return JSON.parse(text) as Fixture;
}

async function send(room: PerudoRoom, socket: FakeConnection, message: unknown): Promise<void> {
  await room.message(socket, JSON.stringify(message));
}

function connect(room: PerudoRoom, host: FakeRoomHost): FakeConnection {
  const socket = host.socket();
  room.connect(socket);
  return socket;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a document written by the previous release (schema version 1)", () => {
  it("loads, every seat token still works, and the game goes on; the next save is version 2", async () => {
    const { document: old, seatTokens } = await fixture();
    const host = new FakeRoomHost();
    host.storage.stored = structuredClone(old) as unknown as RoomDocument;
    const room = await PerudoRoom.load(() => "unused", host, OPTIONS);
    expect(room.roomId).toBe("old-friday");
    expect(host.storage.puts).toBe(0); // reading upgrades in memory only

    const sockets = new Map<string, FakeConnection>();
    for (const [name, seatToken] of Object.entries(seatTokens)) {
      const socket = connect(room, host);
      await send(room, socket, { type: "rejoin", seatToken });
      const state = socket.last("state")!.state;
      const player = old.game.players.find((p) => p.name === name)!;
      expect(state.you).toEqual({ id: player.id, dice: player.dice });
      sockets.set(player.id, socket);
    }
    const resumed = [...sockets.values()][0]!.last("state")!.state;
    expect(resumed).toMatchObject({
      phase: "playing",
      round: 2,
      turn: old.game.turn,
      currentBid: old.game.currentBid,
      turnDeadline: old.turnDeadline,
    });
    // 1.0 did not store lastRound.round: a call deals the next round, so it was round 1.
    expect(resumed.lastRound).toEqual({ round: 1, ...old.game.lastRound });

    await send(room, sockets.get(old.game.turn!)!, { type: "dudo" });
    const after = [...sockets.values()][0]!.last("state")!.state;
    expect(after.round).toBe(3);
    expect(after.lastRound).toMatchObject({ round: 2, call: "dudo", callerId: old.game.turn, bid: old.game.currentBid });
    expect(host.storage.stored).toMatchObject({ version: DOCUMENT_VERSION, resetAt: null, unreadableKeys: [] });
    expect(host.storage.stored!.game.lastRound?.round).toBe(2);
  });
});

describe("a document this build cannot read", () => {
  const unreadable: [string, unknown][] = [
    ["a newer schema version", { version: 99, room: "old-friday", anything: true }],
    ["no version at all", { room: "old-friday", game: {} }],
    ["a damaged version 1 record", { version: 1, room: "old-friday", game: { phase: "playing", players: "Ana" } }],
    ["not an object", "garbage"],
  ];

  it.each(unreadable)("%s: kept under its own key, logged, and replaced by a fresh lobby", async (_label, record) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const host = new FakeRoomHost();
    host.storage.stored = record as RoomDocument;
    const room = await PerudoRoom.load(() => "broken-room", host, OPTIONS);

    // Kept as it was, under a key that says what it is; the log line names that key.
    const [[key, kept]] = [...host.storage.kept.entries()] as [[string, unknown]];
    expect(key.startsWith(UNREADABLE_KEY_PREFIX)).toBe(true);
    expect(kept).toEqual(record);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]![0])).toMatch(new RegExp(`stored document unreadable .*kept as "${key.replace(/\./g, "\\.")}"`));

    // Clients get a clear error, then the fresh lobby; old seat tokens are unknown here now.
    const socket = connect(room, host);
    expect(socket.messages.map((m) => m.type)).toEqual(["welcome", "error", "state"]);
    expect(socket.last("error")).toMatchObject({ code: "ROOM_RESET" });
    expect(socket.last("error")!.message).toMatch(/could not be read/);
    expect(socket.last("state")!.state).toMatchObject({ phase: "lobby", players: [], you: null });
    await send(room, socket, { type: "rejoin", seatToken: "a-token-from-before" });
    expect(socket.last("error")).toMatchObject({ code: "UNKNOWN_SEAT" });

    // Once someone joins the new lobby, the notice stops.
    await send(room, socket, { type: "join", name: "Ana" });
    expect(socket.last("joined")).toBeDefined();
    const later = connect(room, host);
    expect(later.messages.map((m) => m.type)).toEqual(["welcome", "state"]);

    // Cleanup of the abandoned lobby never deletes the kept record.
    for (const s of host.sockets) s.close(1000, "");
    host.clock = host.storage.alarm!;
    await room.alarm();
    expect(host.storage.deletes).toBe(0);
    expect(host.storage.stored).toMatchObject({ unreadableKeys: [key], cleanupAt: null });
    expect(host.storage.kept.get(key)).toEqual(record);
  });
});

describe("rollout grace", () => {
  async function playingRoom(deadlineFromNow: number, openSockets: number) {
    const { document: old } = await fixture();
    const host = new FakeRoomHost();
    host.storage.stored = { ...structuredClone(old), turnDeadline: host.clock + deadlineFromNow } as unknown as RoomDocument;
    // Sockets that survived a hibernation, still bound to their seats.
    for (let i = 0; i < openSockets; i++) host.socket().seat = old.game.players[i]!.id;
    const room = await PerudoRoom.load(() => "unused", host, OPTIONS);
    return { host, room };
  }

  it("a room that starts with no socket moves a near or past deadline to now + grace (one write)", async () => {
    for (const deadlineFromNow of [-1_400, 0, 5_000]) {
      const { host } = await playingRoom(deadlineFromNow, 0);
      expect(host.storage.stored!.turnDeadline).toBe(host.clock + 15_000);
      expect(host.storage.puts).toBe(1);
    }
  });

  it("leaves a deadline further away than the grace alone", async () => {
    const { host } = await playingRoom(40_000, 0);
    expect(host.storage.stored!.turnDeadline).toBe(host.clock + 40_000);
    expect(host.storage.puts).toBe(0);
  });

  it("a hibernation wake-up (sockets still attached) never extends the turn", async () => {
    const { host, room } = await playingRoom(-10, 2);
    expect(host.storage.puts).toBe(0);
    // The overdue alarm then plays the timeout as usual.
    await room.alarm();
    expect(host.storage.stored!.game.currentBid).toMatchObject({ quantity: 4, face: 5 });
  });
});
