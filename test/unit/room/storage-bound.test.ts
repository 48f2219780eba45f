// Storage stays bounded. The room keeps one document; its largest possible size (six players
// with the longest names, every die in play and revealed, the highest round and bid a game can
// reach) is computed here and must stay far below the Durable Object limit for one stored value
// (2 MiB for a key plus its value: https://developers.cloudflare.com/durable-objects/platform/limits/).
// Played for real, the document never grows with connections, messages or new games at a table.
import { serialize } from "node:v8";
import { describe, expect, it } from "vitest";
import { MAX_NAME_LENGTH, MAX_PLAYERS, STARTING_DICE, type Face, type GameState } from "../../../party/engine/types.ts";
import { DOCUMENT_VERSION, UNREADABLE_KEY_PREFIX, type RoomDocument } from "../../../party/room/document.ts";
import { DEFAULT_ROOM_OPTIONS, PerudoRoom } from "../../../party/room/room.ts";
import { FakeRoomHost, type FakeConnection } from "../../support/fake-room-host.ts";

const DURABLE_OBJECT_VALUE_LIMIT = 2 * 1024 * 1024;
/** "Far below": at most 1/500 of the limit (about 4 KiB). */
const BUDGET = DURABLE_OBJECT_VALUE_LIMIT / 500;

/** Bytes of a document as JSON (UTF-8) and as V8's serializer (which workerd stores). */
function sizes(document: RoomDocument): { json: number; v8: number } {
  return { json: Buffer.byteLength(JSON.stringify(document)), v8: serialize(document).byteLength };
}

/**
 * The largest document the room can write (no object appears twice, as in a stored document:
 * V8's serializer would write a shared one once). Names: 20 UTF-16 units (MAX_NAME_LENGTH, after
 * trimming) of a character that costs the most in both encodings ("€": 3 UTF-8 bytes, a two-byte
 * string for V8); ids and the room id at their longest; every number at its widest.
 */
function worstCaseDocument(): RoomDocument {
  const wide = Number.MAX_SAFE_INTEGER;
  const ids = Array.from({ length: MAX_PLAYERS }, (_, i) => `p_${"W".repeat(10)}${i}`);
  const hand = (): Face[] => asDoubles(Array.from({ length: STARTING_DICE }, () => 6 as Face));
  const players = ids.map((id) => ({ id, name: "€".repeat(MAX_NAME_LENGTH), dice: hand(), eliminated: false, hadPalifico: true }));
  const bid = { playerId: ids[5]!, quantity: MAX_PLAYERS * STARTING_DICE, face: 6 as Face };
  const game: GameState = {
    phase: "playing",
    round: wide,
    hostId: ids[0]!,
    players,
    turn: ids[5]!,
    currentBid: { ...bid },
    palifico: true,
    lastRound: {
      round: wide,
      call: "calza",
      callerId: ids[4]!,
      bid: { ...bid },
      dice: Object.fromEntries(ids.map((id) => [id, hand()])),
      count: wide,
      loserId: ids[3]!,
      gainerId: ids[4]!,
    },
    winnerId: ids[2]!,
  };
  return {
    version: DOCUMENT_VERSION,
    room: "R".repeat(64),
    game,
    seats: Object.fromEntries(ids.map((id) => [id, "f".repeat(64)])),
    turnDeadline: wide,
    cleanupAt: wide,
    resetAt: wide,
    // The room keeps one unreadable record's key at a time (PerudoRoom replaces the list on reset).
    unreadableKeys: [`${UNREADABLE_KEY_PREFIX}${wide}`],
  };
}

/**
 * The same numbers in an array V8 holds as doubles (as dice from Math.floor may be), which its
 * serializer writes as 9 bytes each instead of a small integer's 2: the larger encoding.
 */
function asDoubles<T extends number>(values: T[]): T[] {
  const array = [0.5, ...values];
  array.shift(); // elements kinds never go back: the array stays one of doubles
  return array as T[];
}

async function send(room: PerudoRoom, socket: FakeConnection, message: unknown): Promise<void> {
  await room.message(socket, JSON.stringify(message));
}

describe("the room document's size", () => {
  it("is bounded by a computed worst case far below the Durable Object value limit", () => {
    const worst = sizes(worstCaseDocument());
    console.info(`worst-case room document: ${worst.json} bytes JSON, ${worst.v8} bytes V8 (limit ${DURABLE_OBJECT_VALUE_LIMIT})`);
    expect(worst.json).toBeLessThan(BUDGET);
    expect(worst.v8).toBeLessThan(BUDGET);
  });

  it("stays within that bound over whole games, and does not grow with connections, messages or new games", async () => {
    const bound = sizes(worstCaseDocument());
    const host = new FakeRoomHost();
    const room = await PerudoRoom.load(() => "R".repeat(64), host, { ...DEFAULT_ROOM_OPTIONS, turnMs: 30_000 });
    const largest = { json: 0, v8: 0 };
    const record = () => {
      const size = sizes(host.storage.stored!);
      largest.json = Math.max(largest.json, size.json);
      largest.v8 = Math.max(largest.v8, size.v8);
      return size;
    };

    const seats: { socket: FakeConnection; id: string }[] = [];
    for (let i = 0; i < MAX_PLAYERS; i++) {
      const socket = host.socket();
      room.connect(socket);
      await send(room, socket, { type: "join", name: `${"€".repeat(MAX_NAME_LENGTH - 1)}${i}` });
      seats.push({ socket, id: socket.last("joined")!.playerId });
    }
    const afterGame: number[] = [];
    for (let game = 0; game < 5; game++) {
      await send(room, seats[0]!.socket, { type: "start" });
      // Everyone raises by one until the bid is far beyond the dice, then the next player calls:
      // the longest rounds the rules allow with this table (raises are bounded by nothing else).
      for (let action = 0; host.storage.stored!.game.phase === "playing"; action++) {
        expect(action, "game did not finish").toBeLessThan(10_000);
        const { game: state } = host.storage.stored!;
        const actor = seats.find((s) => s.id === state.turn)!;
        host.clock += 1000;
        const bid = state.currentBid;
        if (bid !== null && bid.quantity >= 40) await send(room, actor.socket, { type: "dudo" });
        else await send(room, actor.socket, { type: "bid", quantity: (bid?.quantity ?? 0) + 1, face: bid?.face ?? 5 });
        record();
      }
      afterGame.push(record().v8);
    }
    console.info(`largest document while playing 5 games: ${largest.json} bytes JSON, ${largest.v8} bytes V8`);
    expect(largest.json).toBeLessThanOrEqual(bound.json);
    expect(largest.v8).toBeLessThanOrEqual(bound.v8);
    // A new game at the same table stores no more than the first did (nothing accumulates).
    expect(Math.max(...afterGame) - Math.min(...afterGame)).toBeLessThanOrEqual(16);

    // Connections and refused or idle messages leave the document as it was, byte for byte.
    const before = JSON.stringify(host.storage.stored);
    const puts = host.storage.puts;
    for (let i = 0; i < 200; i++) {
      const socket = host.socket();
      room.connect(socket);
      await send(room, socket, { type: "ping" });
      await send(room, socket, { type: "bid", quantity: 1, face: 2 });
      await room.message(socket, "x".repeat(2000));
      socket.open = false;
      room.disconnect(socket);
    }
    expect(host.storage.puts).toBe(puts);
    expect(JSON.stringify(host.storage.stored)).toBe(before);
  });
});
