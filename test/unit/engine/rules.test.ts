import { describe, expect, it } from "vitest";
import { countFace, formatBid, raiseError, timeoutBid } from "../../../party/engine/rules.ts";
import type { Face } from "../../../party/engine/types.ts";

const normal = { palifico: false, bidderDice: 5 };
const legal = (q: number, f: Face, nq: number, nf: Face, ctx = normal) =>
  raiseError({ quantity: q, face: f }, nq, nf, ctx) === null;

describe("opening bid, normal round", () => {
  it("accepts any non-ace face from quantity 1", () => {
    for (const face of [2, 3, 4, 5, 6] as Face[]) expect(raiseError(null, 1, face, normal)).toBeNull();
  });
  it("refuses aces", () => {
    expect(raiseError(null, 3, 1, normal)).toMatch(/can't be aces/);
  });
});

describe("non-ace to non-ace", () => {
  it("needs a higher quantity, any face", () => {
    expect(legal(4, 5, 5, 2)).toBe(true);
    expect(legal(4, 5, 3, 6)).toBe(false);
  });
  it("or the same quantity of a strictly higher face", () => {
    expect(legal(4, 5, 4, 6)).toBe(true);
    expect(legal(4, 5, 4, 5)).toBe(false);
    expect(legal(4, 5, 4, 4)).toBe(false);
  });
  it("explains the refusal with the standing bid", () => {
    expect(raiseError({ quantity: 4, face: 5 }, 4, 5, normal)).toMatch(/^Raise the bid: 4 x 5 needs a higher quantity/);
  });
});

describe("non-ace to aces: quantity >= ceil(q/2)", () => {
  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
    [4, 2],
    [5, 3],
    [9, 5],
    [10, 5],
  ])("after %i x 5, %i aces is the least", (q, least) => {
    expect(legal(q, 5, least, 1)).toBe(true);
    if (least > 1) expect(legal(q, 5, least - 1, 1)).toBe(false);
  });
  it("names the least aces in the message", () => {
    expect(raiseError({ quantity: 7, face: 3 }, 3, 1, normal)).toMatch(/at least 4 x aces/);
  });
});

describe("aces to aces: quantity > q", () => {
  it("needs one more ace", () => {
    expect(legal(3, 1, 4, 1)).toBe(true);
    expect(legal(3, 1, 3, 1)).toBe(false);
    expect(legal(3, 1, 2, 1)).toBe(false);
  });
});

describe("aces to non-ace: quantity >= 2q + 1", () => {
  it.each([
    [1, 3],
    [2, 5],
    [3, 7],
    [5, 11],
  ])("after %i x aces, %i of a face is the least", (q, least) => {
    expect(legal(q, 1, least, 2)).toBe(true);
    expect(legal(q, 1, least, 6)).toBe(true);
    expect(legal(q, 1, least - 1, 6)).toBe(false);
  });
});

describe("palifico round", () => {
  const pal = { palifico: true, bidderDice: 3 };
  const lone = { palifico: true, bidderDice: 1 };
  it("lets the opener bid any face, aces included", () => {
    expect(raiseError(null, 1, 1, pal)).toBeNull();
    expect(raiseError(null, 2, 4, pal)).toBeNull();
  });
  it("needs a strictly higher quantity, even for a higher face", () => {
    expect(legal(2, 4, 3, 4, pal)).toBe(true);
    expect(legal(2, 4, 2, 5, pal)).toBe(false);
    expect(legal(2, 4, 2, 5, lone)).toBe(false);
  });
  it("locks the face for players with more than one die", () => {
    expect(legal(2, 4, 3, 5, pal)).toBe(false);
    expect(legal(2, 4, 9, 1, pal)).toBe(false);
    expect(raiseError({ quantity: 2, face: 4 }, 3, 5, pal)).toMatch(/keep the face/);
  });
  it("lets a one-die bidder name any face, with a higher quantity", () => {
    expect(legal(2, 4, 3, 2, lone)).toBe(true);
    expect(legal(2, 4, 3, 1, lone)).toBe(true);
  });
  it("has no ace conversion: aces after aces still need one more", () => {
    expect(legal(2, 1, 3, 1, pal)).toBe(true);
    expect(legal(2, 1, 2, 1, pal)).toBe(false);
  });
});

describe("countFace", () => {
  const hands: Face[][] = [
    [1, 3, 3, 6],
    [1, 1, 5],
    [3, 2],
  ];
  it("counts aces as wild for other faces", () => {
    expect(countFace(hands, 3, false)).toBe(6);
    expect(countFace(hands, 4, false)).toBe(3);
  });
  it("counts aces once when aces are bid", () => {
    expect(countFace(hands, 1, false)).toBe(3);
  });
  it("counts aces only as aces in palifico", () => {
    expect(countFace(hands, 3, true)).toBe(3);
    expect(countFace(hands, 1, true)).toBe(3);
  });
});

describe("timeoutBid and formatBid", () => {
  it("raises the quantity by one, keeping the face, or opens 1 x 2", () => {
    expect(timeoutBid(null)).toEqual({ quantity: 1, face: 2 });
    expect(timeoutBid({ quantity: 4, face: 1 })).toEqual({ quantity: 5, face: 1 });
    expect(timeoutBid({ quantity: 3, face: 6 })).toEqual({ quantity: 4, face: 6 });
  });
  it("reads bids the way players say them", () => {
    expect(formatBid(4, 5)).toBe("4 x 5");
    expect(formatBid(1, 1)).toBe("1 x ace");
    expect(formatBid(3, 1)).toBe("3 x aces");
  });
});
