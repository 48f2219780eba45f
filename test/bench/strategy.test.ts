// The bench bots must never send an illegal bid by mistake: their raise rule is checked against
// the engine's own, and a bot plays whole games against the engine without a single refusal.
import { describe, expect, it } from "vitest";
import { decide, minimumRaise } from "../../bench/load/strategy.ts";
import { apply, createGame, mulberry32, raiseError, seededDice, viewFor } from "../../party/engine/index.ts";
import type { Face, GameState } from "../../party/engine/types.ts";
import type { StateView } from "../../party/protocol.ts";

const FACES: Face[] = [1, 2, 3, 4, 5, 6];

describe("bench bot strategy", () => {
  it("computes the smallest legal raise exactly as the engine's rules do", () => {
    const currents = [null, ...FACES.flatMap((face) => [1, 2, 3, 7, 12].map((quantity) => ({ quantity, face })))];
    for (const palifico of [false, true]) {
      for (const bidderDice of [1, 3]) {
        for (const current of currents) {
          for (const face of FACES) {
            const context = { palifico, bidderDice };
            const least = minimumRaise(current, face, context);
            if (least === null) {
              for (let q = 1; q <= 30; q++) expect(raiseError(current, q, face, context)).not.toBeNull();
              continue;
            }
            expect(raiseError(current, least, face, context)).toBeNull();
            if (least > 1) expect(raiseError(current, least - 1, face, context)).not.toBeNull();
          }
        }
      }
    }
  });

  it("plays six-player games to the end without a refused move", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const dice = seededDice(seed);
      const random = mulberry32(seed * 7919);
      let state: GameState = createGame();
      const ids = ["a", "b", "c", "d", "e", "f"];
      for (const id of ids) state = accepted(apply(state, { type: "join", playerId: id, name: id }, dice));
      state = accepted(apply(state, { type: "start", playerId: "a" }, dice));
      let moves = 0;
      while (state.phase === "playing") {
        const turn = state.turn!;
        const view = { ...viewFor(state, turn), room: "r", turnDeadline: null } as unknown as StateView;
        const action = decide(view, random);
        expect(action).not.toBeNull();
        state = accepted(apply(state, { ...action!, playerId: turn }, dice));
        expect(++moves).toBeLessThan(2000);
      }
      expect(state.phase).toBe("finished");
    }
  });
});

function accepted(result: ReturnType<typeof apply>): GameState {
  if (!result.ok) throw new Error(`refused: ${result.error.code} ${result.error.message}`);
  return result.state;
}
