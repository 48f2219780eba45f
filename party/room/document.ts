// The one record a room keeps in Durable Object storage. Everything needed to resume a room after
// eviction, restart or hibernation lives here (connections carry only their seat binding), and
// every accepted change rewrites it in a single put.
import type { GameState, PlayerId } from "../engine/types.ts";

export const DOCUMENT_VERSION = 1;
export const DOCUMENT_KEY = "room";

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
}

export function newDocument(room: string, game: GameState, cleanupAt: number | null): RoomDocument {
  return { version: DOCUMENT_VERSION, room, game, seats: {}, turnDeadline: null, cleanupAt };
}

/** Reads a stored document, or null when there is none (or it is from an unknown version). */
export function readDocument(stored: unknown): RoomDocument | null {
  if (typeof stored !== "object" || stored === null) return null;
  const candidate = stored as Partial<RoomDocument>;
  if (candidate.version !== DOCUMENT_VERSION || typeof candidate.room !== "string") return null;
  if (typeof candidate.game !== "object" || candidate.game === null) return null;
  return stored as RoomDocument;
}

/** The earliest moment the room must wake up on its own, or null if it never needs to. */
export function nextWakeUp(document: RoomDocument): number | null {
  const times = [document.turnDeadline, document.cleanupAt].filter((t): t is number => t !== null);
  return times.length === 0 ? null : Math.min(...times);
}
