import { describe, expect, it } from "vitest";
import { scriptedDice, seededDice } from "../../../party/engine/dice.ts";

describe("seededDice", () => {
  it("is reproducible for a seed and differs between seeds", () => {
    expect(seededDice(7)(20)).toEqual(seededDice(7)(20));
    expect(seededDice(7)(20)).not.toEqual(seededDice(8)(20));
  });
  it("rolls every face 1..6, roughly uniformly", () => {
    const rolls = seededDice(123)(6000);
    const tally = [0, 0, 0, 0, 0, 0];
    for (const face of rolls) tally[face - 1] = (tally[face - 1] ?? 0) + 1;
    for (const n of tally) expect(n).toBeGreaterThan(850);
    expect(rolls.every((f) => Number.isInteger(f) && f >= 1 && f <= 6)).toBe(true);
  });
});

describe("scriptedDice", () => {
  it("hands out the script in order and refuses to run past it", () => {
    const roll = scriptedDice([1, 2, 3]);
    expect(roll(2)).toEqual([1, 2]);
    expect(roll(1)).toEqual([3]);
    expect(() => roll(1)).toThrow(/only 0 left/);
  });
});
