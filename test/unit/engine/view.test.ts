import { describe, expect, it } from "vitest";
import { viewFor } from "../../../party/engine/view.ts";
import type { GameState } from "../../../party/engine/types.ts";
import { bidBy, deepFreeze, playing, seat } from "./helpers.ts";

const state: GameState = deepFreeze(
  playing([seat("a", [1, 2, 3]), seat("b", [4, 5]), seat("c", [])], {
    round: 4,
    turn: "b",
    currentBid: bidBy("a", 2, 5),
    lastRound: {
      round: 3,
      call: "dudo",
      callerId: "c",
      bid: bidBy("a", 3, 6),
      dice: { a: [6, 6, 6, 2], b: [3, 3], c: [1] },
      count: 3,
      loserId: "c",
      gainerId: null,
    },
  }),
);

describe("viewFor", () => {
  it("a player sees their own dice and everyone's counts", () => {
    const view = viewFor(state, "b");
    expect(view.you).toEqual({ id: "b", dice: [4, 5] });
    expect(view.players).toEqual([
      { id: "a", name: "A", diceCount: 3, eliminated: false },
      { id: "b", name: "B", diceCount: 2, eliminated: false },
      { id: "c", name: "C", diceCount: 0, eliminated: true },
    ]);
    expect(view).toMatchObject({ phase: "playing", round: 4, turn: "b", currentBid: bidBy("a", 2, 5), hostId: "a" });
  });
  it("never includes another player's current dice", () => {
    const text = JSON.stringify({ ...viewFor(state, "b"), lastRound: null });
    expect(text).not.toContain("[1,2,3]");
    expect(text).toContain("[4,5]");
    expect(JSON.stringify(viewFor(state, "a"))).not.toContain("[4,5]");
  });
  it("shows the resolved round's dice to everyone, spectators included", () => {
    expect(viewFor(state, null).lastRound).toEqual(state.lastRound);
    expect(viewFor(state, "a").lastRound).toEqual(state.lastRound);
  });
  it("gives a spectator or an unknown id no dice at all", () => {
    for (const viewer of [null, "zz"]) {
      const view = viewFor(state, viewer);
      expect(view.you).toBeNull();
      expect(JSON.stringify({ ...view, lastRound: null })).not.toMatch(/\[\d/);
    }
  });
  it("an eliminated player sees an empty cup", () => {
    expect(viewFor(state, "c").you).toEqual({ id: "c", dice: [] });
  });
  it("returns copies: changing the view can't change the state", () => {
    const view = viewFor(state, "a");
    view.you?.dice.push(6);
    view.lastRound?.dice.a?.push(6);
    expect(state.players[0]?.dice).toEqual([1, 2, 3]);
    expect(state.lastRound?.dice.a).toEqual([6, 6, 6, 2]);
  });
});
