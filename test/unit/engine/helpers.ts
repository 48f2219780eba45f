// Test helpers: build engine states by hand (exact dice), apply with purity checks, freeze.
import { expect } from "vitest";
import { apply } from "../../../party/engine/apply.ts";
import { scriptedDice, seededDice } from "../../../party/engine/dice.ts";
import type {
  Action,
  ApplyResult,
  Bid,
  DiceSource,
  EngineError,
  EngineEvent,
  ErrorCode,
  Face,
  GameState,
  Player,
  PlayerId,
} from "../../../party/engine/types.ts";

/** A seated player; no dice means eliminated (pass `eliminated: false` for a lobby seat). */
export function seat(id: PlayerId, dice: Face[], extra: Partial<Player> = {}): Player {
  return { id, name: id.toUpperCase(), dice, eliminated: dice.length === 0, hadPalifico: false, ...extra };
}

export function lobbySeat(id: PlayerId, name = id.toUpperCase()): Player {
  return { id, name, dice: [], eliminated: false, hadPalifico: false };
}

/** A game in progress; defaults: round 1, first seat hosts and is to act, no bid. */
export function playing(players: Player[], extra: Partial<GameState> = {}): GameState {
  const first = players.find((p) => !p.eliminated)?.id ?? null;
  return {
    phase: "playing",
    round: 1,
    hostId: players[0]?.id ?? null,
    players,
    turn: first,
    currentBid: null,
    palifico: false,
    lastRound: null,
    winnerId: null,
    ...extra,
  };
}

export function lobby(players: Player[], extra: Partial<GameState> = {}): GameState {
  return {
    phase: "lobby",
    round: 0,
    hostId: players[0]?.id ?? null,
    players,
    turn: null,
    currentBid: null,
    palifico: false,
    lastRound: null,
    winnerId: null,
    ...extra,
  };
}

export function bidBy(playerId: PlayerId, quantity: number, face: Face): Bid {
  return { playerId, quantity, face };
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Dice that must not be rolled (the action under test doesn't start a round). */
export const noDice: DiceSource = (count) => {
  throw new Error(`unexpected roll of ${count} dice`);
};

/** Every roll gives all sixes... unless scripted: tests that look at new dice use scriptedDice. */
export const sixes: DiceSource = (count) => Array.from({ length: count }, () => 6 as Face);

/**
 * Applies to a frozen copy (any mutation throws) and checks the caller's state is unchanged.
 */
export function run(state: GameState, action: Action, dice: DiceSource = sixes): ApplyResult {
  const before = structuredClone(state);
  const frozen = deepFreeze(structuredClone(state));
  const result = apply(frozen, action, dice);
  expect(frozen).toEqual(before);
  return result;
}

export function ok(state: GameState, action: Action, dice?: DiceSource): { state: GameState; events: EngineEvent[] } {
  const result = run(state, action, dice);
  if (!result.ok) throw new Error(`expected ${action.type} to succeed, got ${result.error.code}: ${result.error.message}`);
  return { state: result.state, events: result.events };
}

export function refused(state: GameState, action: Action, code: ErrorCode, dice?: DiceSource): EngineError {
  const result = run(state, action, dice);
  if (result.ok) throw new Error(`expected ${action.type} to be refused with ${code}, but it succeeded`);
  expect(result.error.code).toBe(code);
  expect(result.error.message.length).toBeGreaterThan(10);
  return result.error;
}

export function diceOf(state: GameState, id: PlayerId): Face[] {
  const player = state.players.find((p) => p.id === id);
  if (!player) throw new Error(`no player ${id}`);
  return player.dice;
}

export function player(state: GameState, id: PlayerId): Player {
  const found = state.players.find((p) => p.id === id);
  if (!found) throw new Error(`no player ${id}`);
  return found;
}

export { scriptedDice, seededDice };
