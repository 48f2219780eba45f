// The one record a room keeps in Durable Object storage. Everything needed to resume a room after
// eviction, restart or hibernation lives here (connections carry only their seat binding), and
// every accepted change rewrites it in a single put.
//
// Schema versions (`version`):
// - 1: the first release.
// - 2 (protocol 1.1): `game.lastRound.round`, and `resetAt` / `unreadableKeys` for a room that
//   replaced a record it could not read. A version 1 record is upgraded when read (nothing is
//   written until the room's next change).
// Anything else (a newer version, a damaged record) is "unreadable": the room keeps it under
// another key for inspection and starts a fresh lobby (see PerudoRoom.load).
import * as z from "zod/mini";
import type { GameState, PlayerId } from "../engine/types.ts";

export const DOCUMENT_VERSION = 2;
export const DOCUMENT_KEY = "room";
/** Where an unreadable record is kept: `room.unreadable.<epoch ms>`. */
export const UNREADABLE_KEY_PREFIX = "room.unreadable.";

export interface RoomDocument {
  version: typeof DOCUMENT_VERSION;
  /** The room id, kept here too so alarm wake-ups never depend on how the runtime names us. */
  room: string;
  game: GameState;
  /** playerId -> SHA-256 (hex) of that seat's token. The token itself is never stored. */
  seats: Record<PlayerId, string>;
  /** Epoch ms at which the turn timer acts for `game.turn`; null when no turn runs. */
  turnDeadline: number | null;
  /** Epoch ms after which an idle lobby or finished game is deleted; null while playing. */
  cleanupAt: number | null;
  /** Epoch ms at which this room replaced an unreadable record; null once someone joined since. */
  resetAt: number | null;
  /** Storage keys of unreadable records kept for inspection; the room never deletes them. */
  unreadableKeys: string[];
}

export function newDocument(room: string, game: GameState, cleanupAt: number | null): RoomDocument {
  return { version: DOCUMENT_VERSION, room, game, seats: {}, turnDeadline: null, cleanupAt, resetAt: null, unreadableKeys: [] };
}

export type StoredDocument =
  | { kind: "absent" }
  | { kind: "ok"; document: RoomDocument; upgradedFrom: number | null }
  | { kind: "unreadable"; reason: string };

// The shape checked on read: enough to be sure the engine and the room can run on it. Values
// pass through unchanged (the schema only validates), so the record is never reshaped here.
const face = z.number().check(z.int(), z.minimum(1), z.maximum(6));
const count = z.number().check(z.int(), z.minimum(0));
const epochOrNull = z.nullable(z.number());
const bid = z.object({ playerId: z.string(), quantity: count, face });
const player = z.object({
  id: z.string(),
  name: z.string(),
  dice: z.array(face),
  eliminated: z.boolean(),
  hadPalifico: z.boolean(),
});
const roundResult = z.object({
  call: z.enum(["dudo", "calza"]),
  callerId: z.string(),
  bid,
  dice: z.record(z.string(), z.array(face)),
  count,
  loserId: z.nullable(z.string()),
  gainerId: z.nullable(z.string()),
});
const game = z.object({
  phase: z.enum(["lobby", "playing", "finished"]),
  round: count,
  hostId: z.nullable(z.string()),
  players: z.array(player),
  turn: z.nullable(z.string()),
  currentBid: z.nullable(bid),
  palifico: z.boolean(),
  lastRound: z.nullable(roundResult),
  winnerId: z.nullable(z.string()),
});
const versionOne = z.object({
  version: z.literal(1),
  room: z.string().check(z.minLength(1)),
  game,
  seats: z.record(z.string(), z.string()),
  turnDeadline: epochOrNull,
  cleanupAt: epochOrNull,
});
const versionTwo = z.object({
  ...versionOne.shape,
  version: z.literal(2),
  game: z.object({ ...game.shape, lastRound: z.nullable(z.object({ ...roundResult.shape, round: count })) }),
  resetAt: epochOrNull,
  unreadableKeys: z.array(z.string()),
});

/** Reads what storage holds under DOCUMENT_KEY: nothing, a (possibly upgraded) document, or a record it cannot use. */
export function readDocument(stored: unknown): StoredDocument {
  if (stored === undefined || stored === null) return { kind: "absent" };
  const version = typeof stored === "object" ? (stored as { version?: unknown }).version : undefined;
  if (version === DOCUMENT_VERSION) {
    const checked = z.safeParse(versionTwo, stored);
    if (!checked.success) return { kind: "unreadable", reason: describe(checked.error) };
    return { kind: "ok", document: stored as RoomDocument, upgradedFrom: null };
  }
  if (version === 1) {
    const checked = z.safeParse(versionOne, stored);
    if (!checked.success) return { kind: "unreadable", reason: describe(checked.error) };
    return { kind: "ok", document: upgradeFromVersionOne(stored as VersionOneDocument), upgradedFrom: 1 };
  }
  return { kind: "unreadable", reason: `unknown schema version ${JSON.stringify(version) ?? "(none)"}` };
}

type VersionOneDocument = Omit<RoomDocument, "version" | "resetAt" | "unreadableKeys" | "game"> & {
  version: 1;
  game: Omit<GameState, "lastRound"> & { lastRound: Omit<NonNullable<GameState["lastRound"]>, "round"> | null };
};

/**
 * Version 1 did not store which round `lastRound` resolved. A call resolves the round and deals
 * the next one, so it is the current round minus one while playing, and the current round once
 * the game finished (finishing does not deal again).
 */
function upgradeFromVersionOne(old: VersionOneDocument): RoomDocument {
  const { lastRound } = old.game;
  const round = old.game.phase === "finished" ? old.game.round : Math.max(0, old.game.round - 1);
  return {
    ...old,
    version: DOCUMENT_VERSION,
    game: { ...old.game, lastRound: lastRound === null ? null : { round, ...lastRound } },
    resetAt: null,
    unreadableKeys: [],
  };
}

function describe(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "(record)"}: ${issue.message}` : "invalid record";
}

/** The earliest moment the room must wake up on its own, or null if it never needs to. */
export function nextWakeUp(document: RoomDocument): number | null {
  const times = [document.turnDeadline, document.cleanupAt].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}
