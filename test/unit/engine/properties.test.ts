// Property-based tests: thousands of random games (random seats, dice seeds and choices), with
// random illegal actions and the occasional leave interleaved, checking the engine's invariants.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { apply, createGame } from "../../../party/engine/apply.ts";
import { mulberry32, seededDice } from "../../../party/engine/dice.ts";
import { raiseError } from "../../../party/engine/rules.ts";
import { viewFor } from "../../../party/engine/view.ts";
import type { Action, DiceSource, Face, GameState, PlayerId, RoundResult } from "../../../party/engine/types.ts";
import { deepFreeze } from "./helpers.ts";

const FACES: Face[] = [1, 2, 3, 4, 5, 6];
const MAX_STEPS = 3000;

interface Stats {
  games: number;
  rounds: number;
  refusals: number;
  calzas: number;
  palificos: number;
  leaves: number;
  restarts: number;
}

type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => {
  const item = items[Math.floor(rng() * items.length)];
  if (item === undefined) throw new Error("pick from an empty list");
  return item;
};

function active(state: GameState) {
  return state.players.filter((p) => !p.eliminated);
}

function totalDice(state: GameState): number {
  return active(state).reduce((sum, p) => sum + p.dice.length, 0);
}

/** A legal move for the player to act, chosen to make games end (calls grow likelier). */
function legalMove(state: GameState, rng: Rng): Action {
  const actorId = state.turn;
  if (actorId === null) throw new Error("no turn in a playing state");
  const actor = state.players.find((p) => p.id === actorId);
  if (!actor) throw new Error("turn held by an unseated player");
  const bid = state.currentBid;
  const roll = rng();
  if (roll < 0.03) return { type: "timeout" };
  if (bid) {
    const pressure = bid.quantity / Math.max(1, totalDice(state));
    const calzaAllowed = !state.palifico && active(state).length > 2;
    if (calzaAllowed && roll < 0.12) return { type: "calza", playerId: actorId };
    if (roll < 0.15 + pressure * 0.7) return { type: "dudo", playerId: actorId };
  }
  const ceiling = (bid?.quantity ?? 0) * 2 + 3;
  const candidates: { quantity: number; face: Face }[] = [];
  // Below half the standing quantity nothing is ever legal: skip it.
  for (let quantity = Math.max(1, Math.floor((bid?.quantity ?? 0) / 2)); quantity <= ceiling; quantity++) {
    for (const face of FACES) {
      const context = { palifico: state.palifico, bidderDice: actor.dice.length };
      if (raiseError(bid, quantity, face, context) === null) candidates.push({ quantity, face });
      if (candidates.length >= 8) break;
    }
    if (candidates.length >= 8) break;
  }
  const { quantity, face } = pick(rng, candidates);
  return { type: "bid", playerId: actorId, quantity, face };
}

/** Anything a confused or hostile client might send; usually illegal. */
function randomAction(state: GameState, rng: Rng): Action {
  const ids: PlayerId[] = [...state.players.map((p) => p.id), "ghost"];
  const playerId = pick(rng, ids);
  const quantity = pick(rng, [-1, 0, 1, 2, 3, 5, 8, 13, 40, 1.5, Number.NaN]);
  const face = pick(rng, [0, 1, 2, 3, 4, 5, 6, 7] as Face[]);
  return pick(rng, [
    { type: "join", playerId, name: pick(rng, ["P0", "p1", " P2 ", "new"]) },
    { type: "start", playerId },
    { type: "bid", playerId, quantity, face },
    { type: "dudo", playerId },
    { type: "calza", playerId },
  ] satisfies Action[]);
}

// The hot loop checks with plain comparisons: vitest's expect is too slow for ~200k steps.
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const sameDice = (a: readonly Face[], b: readonly Face[]) => a.length === b.length && a.every((f, i) => f === b[i]);
const VIEW_KEYS = "currentBid,hostId,lastRound,palifico,phase,players,round,turn,winnerId,you";
const SEAT_KEYS = "diceCount,eliminated,id,name";

/**
 * Nobody's view shows another player's current dice; only lastRound reveals hands.
 * `viewers` defaults to everyone seated plus a spectator and a stranger.
 */
function checkViews(state: GameState, viewers: (PlayerId | null)[] = [null, "ghost", ...state.players.map((p) => p.id)]): void {
  for (const viewer of viewers) {
    const view = viewFor(state, viewer);
    // Counting keys is enough (and cheap): the types require the expected ones, so an extra
    // field such as `dice` would show up as one key too many. Exact names: see `checkViewKeys`.
    check(Object.keys(view).length === VIEW_KEYS.split(",").length, `view keys ${Object.keys(view).join()}`);
    for (const seen of view.players) check(Object.keys(seen).length === 4, `seat keys ${Object.keys(seen).join()}`);
    const me = state.players.find((p) => p.id === viewer);
    if (!me) check(view.you === null, `${viewer} sees dice without a seat`);
    else check(view.you?.id === me.id && sameDice(view.you.dice, me.dice), `${viewer} sees the wrong dice`);
    if (view.currentBid) check(Object.keys(view.currentBid).length === 3, "extra fields in the bid");
  }
}

/** The exact field names of every view, checked once per game. */
function checkViewKeys(state: GameState): void {
  for (const viewer of [null, ...state.players.map((p) => p.id)]) {
    const view = viewFor(state, viewer);
    check(Object.keys(view).sort().join() === VIEW_KEYS, `view keys ${Object.keys(view).join()}`);
    for (const seen of view.players) {
      check(Object.keys(seen).sort().join() === SEAT_KEYS, `seat keys ${Object.keys(seen).join()}`);
    }
  }
}

function checkPlaying(state: GameState): void {
  const inPlay = active(state);
  check(inPlay.length >= 2, "playing with fewer than two players in");
  check(inPlay.some((p) => p.id === state.turn), `turn ${state.turn} is not an active player`);
  for (const p of state.players) {
    if (p.eliminated) check(p.dice.length === 0, `eliminated ${p.id} holds dice`);
    else check(p.dice.length >= 1 && p.dice.length <= 5, `${p.id} holds ${p.dice.length} dice`);
  }
}

/** Per player: only the loser drops one die, only a correct calza caller gains one (max 5). */
function checkResolution(before: GameState, after: GameState, result: RoundResult): void {
  for (const p of after.players) {
    const was = before.players.find((q) => q.id === p.id);
    if (!was) throw new Error(`player ${p.id} appeared during a round`);
    let expected = was.dice.length;
    if (p.id === result.loserId) expected -= 1;
    if (p.id === result.gainerId) expected = Math.min(5, expected + 1);
    check(p.dice.length === expected, `${p.id} has ${p.dice.length} dice, expected ${expected}`);
  }
  const delta = totalDice(after) - totalDice(before);
  check(delta === -1 || delta === 0 || delta === 1, `dice total changed by ${delta}`);
  if (delta === 1) check(result.call === "calza" && result.gainerId !== null, "dice gained without a calza");
  if (delta === 0) check(result.loserId === null, "a loser kept all dice");
}

function playRandomGame(seats: number, diceSeed: number, choiceSeed: number, stats: Stats, restart: boolean): void {
  const rng = mulberry32(choiceSeed);
  const dice: DiceSource = seededDice(diceSeed);
  // States are deep-frozen (ES modules run in strict mode), so any mutation inside apply throws.
  const step = (state: GameState, action: Action) => {
    const result = apply(deepFreeze(state), action, dice);
    if (result.ok) deepFreeze(result.state);
    return result;
  };

  let state = createGame();
  for (let i = 0; i < seats; i++) {
    const result = step(state, { type: "join", playerId: `id${i}`, name: `P${i}` });
    if (!result.ok) throw new Error(result.error.message);
    state = result.state;
  }
  const started = step(state, { type: "start", playerId: "id0" });
  if (!started.ok) throw new Error(started.error.message);
  state = started.state;
  checkViewKeys(state);

  let steps = 0;
  while (state.phase === "playing") {
    check(++steps <= MAX_STEPS, "game did not end");
    checkPlaying(state);
    // Every viewer at a round's start (new dice), one rotating viewer on other steps (new bid).
    if (state.currentBid === null) checkViews(state);
    else checkViews(state, [pick(rng, [null, ...state.players.map((p) => p.id)])]);
    const roll = rng();
    let action: Action;
    let legal = true;
    if (roll < 0.25) {
      action = randomAction(state, rng);
      legal = false;
    } else if (roll < 0.255) {
      action = { type: "leave", playerId: pick(rng, state.players).id };
      stats.leaves++;
    } else action = legalMove(state, rng);

    const result = step(state, action);
    if (!result.ok) {
      // `state` is deep-frozen, so reaching here means apply didn't touch it; the caller
      // keeps using it unchanged.
      stats.refusals++;
      check(!legal, `legal ${JSON.stringify(action)} refused: ${result.error.message}`);
      check(!("state" in result) && typeof result.error.message === "string", "a refusal carries a state");
      continue;
    }
    const resolved = result.events.find((e) => e.type === "round-resolved");
    if (resolved?.type === "round-resolved") {
      stats.rounds++;
      if (resolved.result.call === "calza") stats.calzas++;
      checkResolution(state, result.state, resolved.result);
      check(result.state.lastRound === resolved.result || JSON.stringify(result.state.lastRound) === JSON.stringify(resolved.result), "lastRound differs from the event");
      if (result.state.phase === "playing") {
        check(result.state.round === state.round + 1, "round did not advance by one");
        check(result.state.currentBid === null, "a new round starts with a bid");
        if (result.state.palifico) stats.palificos++;
      }
    }
    state = result.state;
  }

  // Exactly one winner, and it is the only player still in.
  const survivors = active(state);
  check(state.phase === "finished", "game stopped without finishing");
  check(survivors.length === 1 && state.winnerId === survivors[0]?.id, `winner ${state.winnerId}, ${survivors.length} still in`);
  check(state.turn === null, "a finished game has a turn");
  checkViews(state);
  checkViewKeys(state);
  stats.games++;

  if (restart && state.hostId !== null && state.players.length >= 2) {
    const again = step(state, { type: "start", playerId: state.hostId });
    if (!again.ok) throw new Error(again.error.message);
    check(again.state.phase === "playing" && again.state.round === 1 && again.state.winnerId === null, "bad restart");
    check(again.state.players.every((p) => p.dice.length === 5 && !p.eliminated), "restart without full cups");
    stats.restarts++;
  }
}

describe("random games", () => {
  it("always end with one winner, lose dice one at a time, hide dice and ignore illegal moves", () => {
    const stats: Stats = { games: 0, rounds: 0, refusals: 0, calzas: 0, palificos: 0, leaves: 0, restarts: 0 };
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer(),
        fc.integer(),
        fc.boolean(),
        (seats, diceSeed, choiceSeed, restart) => playRandomGame(seats, diceSeed, choiceSeed, stats, restart),
      ),
      { numRuns: 2000, seed: 20261126 },
    );
    // The generator really exercised the interesting paths.
    expect(stats.games).toBe(2000);
    expect(stats.calzas).toBeGreaterThan(500);
    expect(stats.palificos).toBeGreaterThan(500);
    expect(stats.refusals).toBeGreaterThan(10_000);
    expect(stats.leaves).toBeGreaterThan(100);
    expect(stats.restarts).toBeGreaterThan(500);
  }, 60_000);
});
