// The rules engine's data: plain, serialisable values (the room stores GameState as JSON).
// This file is the contract between the engine and the room; see apply.ts and view.ts.

export type PlayerId = string;
/** A die face; 1 = aces (wild outside palifico rounds). */
export type Face = 1 | 2 | 3 | 4 | 5 | 6;
export type Phase = "lobby" | "playing" | "finished";

export const MIN_PLAYERS = 2;
export const MAX_PLAYERS = 6;
export const STARTING_DICE = 5;
export const MAX_NAME_LENGTH = 20;

export interface Player {
  id: PlayerId;
  name: string;
  /** This round's dice; length = the player's dice count (0 once eliminated). */
  dice: Face[];
  eliminated: boolean;
  /** Has already triggered a palifico round this game (it happens once per player). */
  hadPalifico: boolean;
}

export interface Bid {
  playerId: PlayerId;
  quantity: number;
  face: Face;
}

export interface RoundResult {
  /** The round this result resolved (a game's first round is 1). */
  round: number;
  call: "dudo" | "calza";
  callerId: PlayerId;
  bid: Bid;
  /** Every active player's dice as they were when the call was made. */
  dice: Record<PlayerId, Face[]>;
  count: number;
  loserId: PlayerId | null;
  gainerId: PlayerId | null;
}

export interface GameState {
  phase: Phase;
  /** 0 in the lobby; 1 for the first round of a game. */
  round: number;
  hostId: PlayerId | null;
  /** Seat order = join order. */
  players: Player[];
  turn: PlayerId | null;
  currentBid: Bid | null;
  palifico: boolean;
  lastRound: RoundResult | null;
  winnerId: PlayerId | null;
}

export type Action =
  | { type: "join"; playerId: PlayerId; name: string }
  | { type: "leave"; playerId: PlayerId }
  | { type: "start"; playerId: PlayerId }
  | { type: "bid"; playerId: PlayerId; quantity: number; face: Face }
  | { type: "dudo"; playerId: PlayerId }
  | { type: "calza"; playerId: PlayerId }
  /** The turn timer expired: the engine acts for the player to act. */
  | { type: "timeout" };

/** Rolls `count` dice. Tests pass a seeded source; production uses crypto.getRandomValues. */
export type DiceSource = (count: number) => Face[];

export const ErrorCode = {
  BAD_MESSAGE: "BAD_MESSAGE",
  WRONG_PHASE: "WRONG_PHASE",
  NOT_YOUR_TURN: "NOT_YOUR_TURN",
  ILLEGAL_BID: "ILLEGAL_BID",
  NO_BID: "NO_BID",
  NOT_HOST: "NOT_HOST",
  ROOM_FULL: "ROOM_FULL",
  NAME_TAKEN: "NAME_TAKEN",
  ALREADY_JOINED: "ALREADY_JOINED",
  NOT_ENOUGH_PLAYERS: "NOT_ENOUGH_PLAYERS",
  CALZA_NOT_ALLOWED: "CALZA_NOT_ALLOWED",
  UNKNOWN_SEAT: "UNKNOWN_SEAT",
  RATE_LIMITED: "RATE_LIMITED",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface EngineError {
  code: ErrorCode;
  /** Human text, safe to show to the player. */
  message: string;
}

/**
 * What happened, as data, so the room decides what to store, send and schedule.
 * Order within one apply: round-resolved, player-eliminated, then game-finished or
 * round-started, then turn-changed. "turn-changed" is emitted whenever a new turn begins (after
 * every bid, at every round start, when the player to act leaves), even if the same player acts
 * again, so the room can restart the turn timer; `playerId: null` means no turn (game over).
 */
export type EngineEvent =
  | { type: "round-started"; round: number; openerId: PlayerId; palifico: boolean }
  | { type: "round-resolved"; result: RoundResult }
  | { type: "player-eliminated"; playerId: PlayerId }
  | { type: "game-finished"; winnerId: PlayerId }
  | { type: "turn-changed"; playerId: PlayerId | null };

export type ApplyResult =
  | { ok: true; state: GameState; events: EngineEvent[] }
  | { ok: false; error: EngineError };

/** One player's (or a spectator's, `you: null`) view of the game: no hidden dice. */
export interface GameView {
  phase: Phase;
  round: number;
  hostId: PlayerId | null;
  players: { id: PlayerId; name: string; diceCount: number; eliminated: boolean }[];
  you: { id: PlayerId; dice: Face[] } | null;
  turn: PlayerId | null;
  currentBid: Bid | null;
  palifico: boolean;
  lastRound: RoundResult | null;
  winnerId: PlayerId | null;
}
