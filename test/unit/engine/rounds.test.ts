// bid, dudo, calza, palifico, openers and timeouts, with hand-set dice.
import { describe, expect, it } from "vitest";
import { ErrorCode, type Face, type GameState } from "../../../party/engine/types.ts";
import { bidBy, lobby, lobbySeat, ok, player, playing, refused, scriptedDice, seat, sixes } from "./helpers.ts";

const bid = (playerId: string, quantity: number, face: Face) => ({ type: "bid", playerId, quantity, face }) as const;
const dudo = (playerId: string) => ({ type: "dudo", playerId }) as const;
const calza = (playerId: string) => ({ type: "calza", playerId }) as const;
const timeout = { type: "timeout" } as const;
const counts = (state: GameState) => state.players.map((p) => p.dice.length);

describe("bid", () => {
  const table = playing([seat("a", [2, 3]), seat("b", [4, 5]), seat("c", [])]);

  it("sets the bid and passes the turn to the next active player, wrapping past the eliminated", () => {
    const first = ok(table, bid("a", 2, 3));
    expect(first.state.currentBid).toEqual(bidBy("a", 2, 3));
    expect(first.state.turn).toBe("b");
    expect(first.events).toEqual([{ type: "turn-changed", playerId: "b" }]);
    const second = ok(first.state, bid("b", 2, 4));
    expect(second.state.turn).toBe("a");
    expect(second.state.currentBid).toEqual(bidBy("b", 2, 4));
  });
  it("refuses a bid out of turn with NOT_YOUR_TURN, naming who is to act", () => {
    expect(refused(table, bid("b", 1, 2), ErrorCode.NOT_YOUR_TURN).message).toBe("It's A's turn");
  });
  it("refuses an eliminated player with NOT_YOUR_TURN", () => {
    refused(table, bid("c", 1, 2), ErrorCode.NOT_YOUR_TURN);
  });
  it("refuses an unseated player with UNKNOWN_SEAT", () => {
    refused(table, bid("zz", 1, 2), ErrorCode.UNKNOWN_SEAT);
  });
  it("refuses bids, calls and timeouts in the lobby and after the game with WRONG_PHASE", () => {
    const inLobby = lobby([lobbySeat("a"), lobbySeat("b")]);
    const finished = { ...table, phase: "finished" as const, turn: null, winnerId: "a" };
    for (const state of [inLobby, finished]) {
      refused(state, bid("a", 1, 2), ErrorCode.WRONG_PHASE);
      refused(state, dudo("a"), ErrorCode.WRONG_PHASE);
      refused(state, calza("a"), ErrorCode.WRONG_PHASE);
      refused(state, timeout, ErrorCode.WRONG_PHASE);
    }
  });
  it("refuses malformed quantities and faces with ILLEGAL_BID", () => {
    refused(table, bid("a", 0, 2), ErrorCode.ILLEGAL_BID);
    refused(table, bid("a", 1.5, 2), ErrorCode.ILLEGAL_BID);
    refused(table, bid("a", Number.NaN, 2), ErrorCode.ILLEGAL_BID);
    refused(table, bid("a", 2, 7 as Face), ErrorCode.ILLEGAL_BID);
    refused(table, bid("a", 2, 0 as Face), ErrorCode.ILLEGAL_BID);
  });
  it("refuses an opening ace bid in a normal round with ILLEGAL_BID", () => {
    refused(table, bid("a", 1, 1), ErrorCode.ILLEGAL_BID);
  });
  it("refuses a raise that isn't higher, with the standing bid in the message", () => {
    const state = { ...table, currentBid: bidBy("b", 4, 5) };
    const error = refused(state, bid("a", 4, 5), ErrorCode.ILLEGAL_BID);
    expect(error.message).toMatch(/4 x 5 needs a higher quantity/);
  });
  it("applies the ace conversions through apply", () => {
    const state = { ...table, currentBid: bidBy("b", 5, 4) };
    refused(state, bid("a", 2, 1), ErrorCode.ILLEGAL_BID);
    ok(state, bid("a", 3, 1));
    const aces = { ...table, currentBid: bidBy("b", 3, 1) };
    refused(aces, bid("a", 6, 6), ErrorCode.ILLEGAL_BID);
    ok(aces, bid("a", 7, 2));
  });
});

describe("dudo", () => {
  // a: 2 fives + 1 ace; b: 1 five + 1 ace; c: no fives. Fives with aces = 5, without = 3.
  const hands = () => [seat("a", [5, 5, 1]), seat("b", [5, 1, 3]), seat("c", [2, 3, 4])];

  it("refuses without a standing bid with NO_BID", () => {
    refused(playing(hands()), dudo("a"), ErrorCode.NO_BID);
  });
  it("refuses out of turn with NOT_YOUR_TURN", () => {
    refused(playing(hands(), { turn: "c", currentBid: bidBy("b", 2, 5) }), dudo("a"), ErrorCode.NOT_YOUR_TURN);
  });
  it("the bid holds thanks to aces: the challenger loses a die", () => {
    const state = playing(hands(), { turn: "c", currentBid: bidBy("b", 5, 5) });
    const { state: next, events } = ok(state, dudo("c"), sixes);
    expect(next.lastRound).toEqual({
      round: state.round,
      call: "dudo",
      callerId: "c",
      bid: bidBy("b", 5, 5),
      dice: { a: [5, 5, 1], b: [5, 1, 3], c: [2, 3, 4] },
      count: 5,
      loserId: "c",
      gainerId: null,
    });
    expect(counts(next)).toEqual([3, 3, 2]);
    expect(events[0]).toEqual({ type: "round-resolved", result: next.lastRound });
  });
  it("without aces in play: exactly the count holds, one more fails", () => {
    const plain = () => [seat("a", [4, 4, 2]), seat("b", [4, 6]), seat("c", [3])];
    const exact = playing(plain(), { turn: "c", currentBid: bidBy("b", 3, 4) });
    expect(ok(exact, dudo("c")).state.lastRound).toMatchObject({ count: 3, loserId: "c" });
    const over = playing(plain(), { turn: "c", currentBid: bidBy("b", 4, 4) });
    expect(ok(over, dudo("c")).state.lastRound).toMatchObject({ count: 3, loserId: "b" });
  });
  it("one more than the count: the bidder loses a die", () => {
    const state = playing(hands(), { turn: "c", currentBid: bidBy("b", 6, 5) });
    const { state: next } = ok(state, dudo("c"));
    expect(next.lastRound).toMatchObject({ count: 5, loserId: "b" });
    expect(counts(next)).toEqual([3, 2, 3]);
  });
  it("aces bid: aces count only once", () => {
    const held = playing(hands(), { turn: "c", currentBid: bidBy("b", 2, 1) });
    expect(ok(held, dudo("c")).state.lastRound).toMatchObject({ count: 2, loserId: "c" });
    const failed = playing(hands(), { turn: "c", currentBid: bidBy("b", 3, 1) });
    expect(ok(failed, dudo("c")).state.lastRound).toMatchObject({ count: 2, loserId: "b" });
  });
  it("ignores eliminated players' leftover dice", () => {
    const state = playing([...hands(), seat("d", [5, 5], { eliminated: true })], {
      turn: "c",
      currentBid: bidBy("b", 6, 5),
    });
    expect(ok(state, dudo("c")).state.lastRound).toMatchObject({ count: 5, loserId: "b" });
  });
  it("starts the next round in the same apply: new dice, round + 1, no bid, loser opens", () => {
    const state = playing(hands(), { round: 3, turn: "c", currentBid: bidBy("b", 6, 5) });
    const roll = scriptedDice([2, 2, 2, 3, 3, 4, 4, 4]);
    const { state: next, events } = ok(state, dudo("c"), roll);
    expect(next).toMatchObject({ phase: "playing", round: 4, currentBid: null, turn: "b", palifico: false });
    expect(next.players.map((p) => p.dice)).toEqual([
      [2, 2, 2],
      [3, 3],
      [4, 4, 4],
    ]);
    expect(events.slice(1)).toEqual([
      { type: "round-started", round: 4, openerId: "b", palifico: false },
      { type: "turn-changed", playerId: "b" },
    ]);
  });
});

describe("opener of the next round", () => {
  it("is the player who lost a die", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3]), seat("c", [4, 4])], {
      turn: "c",
      currentBid: bidBy("b", 1, 6),
    });
    expect(ok(state, dudo("c")).state.turn).toBe("b");
  });
  it("is the next active player after an eliminated loser, wrapping around", () => {
    const state = playing([seat("a", [2, 2]), seat("b", []), seat("c", [4, 4]), seat("d", [5])], {
      turn: "a",
      currentBid: bidBy("d", 1, 6),
    });
    const { state: next, events } = ok(state, dudo("a"));
    expect(player(next, "d").eliminated).toBe(true);
    expect(next.turn).toBe("a");
    expect(events.map((e) => e.type)).toEqual(["round-resolved", "player-eliminated", "round-started", "turn-changed"]);
    expect(events[1]).toEqual({ type: "player-eliminated", playerId: "d" });
  });
  it("is the calza caller after a calza, right or wrong", () => {
    const table = [seat("a", [3, 3]), seat("b", [3, 2]), seat("c", [4, 4])];
    const right = playing(table, { turn: "c", currentBid: bidBy("b", 3, 3) });
    expect(ok(right, calza("c")).state.turn).toBe("c");
    const wrong = playing(table, { turn: "c", currentBid: bidBy("b", 4, 3) });
    expect(ok(wrong, calza("c")).state.turn).toBe("c");
  });
  it("after a calza that eliminates the caller, is the next active player", () => {
    const state = playing([seat("a", [3, 3]), seat("b", [3, 2]), seat("c", [4]), seat("d", [5, 5])], {
      turn: "c",
      currentBid: bidBy("b", 4, 3),
    });
    const next = ok(state, calza("c")).state;
    expect(player(next, "c").eliminated).toBe(true);
    expect(next.turn).toBe("d");
  });
});

describe("calza", () => {
  const table = () => [seat("a", [3, 1]), seat("b", [3, 2, 2]), seat("c", [4, 4, 6])];
  it("exact count: the caller gains a die", () => {
    const state = playing(table(), { turn: "c", currentBid: bidBy("b", 3, 3) });
    const { state: next } = ok(state, calza("c"));
    expect(next.lastRound).toMatchObject({ call: "calza", callerId: "c", count: 3, loserId: null, gainerId: "c" });
    expect(counts(next)).toEqual([2, 3, 4]);
  });
  it("not exact (over or under): the caller loses a die", () => {
    for (const quantity of [2, 4]) {
      const state = playing(table(), { turn: "c", currentBid: bidBy("b", quantity, 3) });
      const { state: next } = ok(state, calza("c"));
      expect(next.lastRound).toMatchObject({ count: 3, loserId: "c", gainerId: null });
      expect(counts(next)).toEqual([2, 3, 2]);
    }
  });
  it("is capped at five dice", () => {
    const state = playing([seat("a", [3, 1]), seat("b", [3, 2]), seat("c", [4, 4, 6, 6, 6])], {
      turn: "c",
      currentBid: bidBy("b", 3, 3),
    });
    const { state: next } = ok(state, calza("c"));
    expect(next.lastRound).toMatchObject({ gainerId: "c" });
    expect(counts(next)).toEqual([2, 2, 5]);
  });
  it("refuses with only two players left with CALZA_NOT_ALLOWED", () => {
    const state = playing([seat("a", [3]), seat("b", []), seat("c", [4, 4])], {
      turn: "c",
      currentBid: bidBy("a", 1, 3),
    });
    refused(state, calza("c"), ErrorCode.CALZA_NOT_ALLOWED);
  });
  it("refuses in a palifico round with CALZA_NOT_ALLOWED", () => {
    const state = playing(table(), { turn: "c", currentBid: bidBy("b", 3, 3), palifico: true });
    refused(state, calza("c"), ErrorCode.CALZA_NOT_ALLOWED);
  });
  it("refuses without a bid with NO_BID", () => {
    refused(playing(table(), { turn: "c" }), calza("c"), ErrorCode.NO_BID);
  });
});

describe("palifico", () => {
  it("starts when a player first drops to one die with more than two in; they open", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3]), seat("c", [4, 4])], {
      turn: "c",
      currentBid: bidBy("b", 1, 6),
    });
    const { state: next, events } = ok(state, dudo("c"));
    expect(next).toMatchObject({ palifico: true, turn: "b" });
    expect(player(next, "b").hadPalifico).toBe(true);
    expect(events).toContainEqual({ type: "round-started", round: 2, openerId: "b", palifico: true });
  });
  it("happens once per player: dropping to one again is a normal round", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3], { hadPalifico: true }), seat("c", [4, 4])], {
      turn: "c",
      currentBid: bidBy("b", 1, 6),
    });
    const next = ok(state, dudo("c")).state;
    expect(next.palifico).toBe(false);
    expect(next.turn).toBe("b");
  });
  it("only counts the drop to exactly one die", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3, 3]), seat("c", [4, 4])], {
      turn: "c",
      currentBid: bidBy("b", 1, 6),
    });
    const next = ok(state, dudo("c")).state;
    expect(next.palifico).toBe(false);
    expect(player(next, "b").hadPalifico).toBe(false);
  });
  it("does not start with only two players left", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3]), seat("c", [])], {
      turn: "a",
      currentBid: bidBy("b", 1, 6),
    });
    const next = ok(state, dudo("a")).state;
    expect(next.palifico).toBe(false);
    expect(player(next, "b").hadPalifico).toBe(false);
  });
  it("does not start when the drop eliminates a third player leaving two", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3]), seat("c", [4])], {
      turn: "a",
      currentBid: bidBy("c", 1, 6),
    });
    expect(ok(state, dudo("a")).state.palifico).toBe(false);
  });
  it("starts after a wrong calza drops the caller to one die", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3]), seat("c", [4, 4])], {
      turn: "c",
      currentBid: bidBy("b", 4, 6),
    });
    const next = ok(state, calza("c")).state;
    expect(next).toMatchObject({ palifico: true, turn: "c" });
  });
  it("counts aces as aces only: a bid on fives is not saved by aces", () => {
    const state = playing([seat("a", [5, 1]), seat("b", [1]), seat("c", [1, 1])], {
      turn: "c",
      palifico: true,
      currentBid: bidBy("b", 2, 5),
    });
    expect(ok(state, dudo("c")).state.lastRound).toMatchObject({ count: 1, loserId: "b" });
  });
  it("lets the opener bid aces", () => {
    const state = playing([seat("a", [5]), seat("b", [1, 2]), seat("c", [1, 1])], { palifico: true });
    expect(ok(state, bid("a", 1, 1)).state.currentBid).toEqual(bidBy("a", 1, 1));
  });
  it("locks the face; a one-die bidder may change it and later bidders follow the new face", () => {
    // a opened 1 x 4; b (two dice) must keep fours; c (one die) may switch to sixes.
    const opened = playing([seat("a", [5], { hadPalifico: true }), seat("b", [1, 2]), seat("c", [6])], {
      palifico: true,
      turn: "b",
      currentBid: bidBy("a", 1, 4),
    });
    refused(opened, bid("b", 2, 5), ErrorCode.ILLEGAL_BID);
    refused(opened, bid("b", 1, 4), ErrorCode.ILLEGAL_BID);
    const byB = ok(opened, bid("b", 2, 4)).state;
    refused(byB, bid("c", 2, 6), ErrorCode.ILLEGAL_BID);
    const byC = ok(byB, bid("c", 3, 6)).state;
    expect(byC.currentBid).toEqual(bidBy("c", 3, 6));
    // a has one die too, so a may switch again; b after that must follow.
    const byA = ok(byC, bid("a", 4, 2)).state;
    refused(byA, bid("b", 5, 6), ErrorCode.ILLEGAL_BID);
    expect(ok(byA, bid("b", 5, 2)).state.currentBid).toEqual(bidBy("b", 5, 2));
  });
  it("ends after its round: the next round is normal", () => {
    const state = playing([seat("a", [5, 5]), seat("b", [2, 2, 2]), seat("c", [3], { hadPalifico: true })], {
      palifico: true,
      turn: "b",
      currentBid: bidBy("a", 1, 5),
    });
    const next = ok(state, dudo("b")).state;
    expect(next.lastRound).toMatchObject({ loserId: "b" });
    expect(next.palifico).toBe(false);
  });
});

describe("end of the game", () => {
  it("one player left: finished, winner set, no turn, no new roll", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3])], { turn: "a", currentBid: bidBy("b", 2, 3), round: 9 });
    const { state: next, events } = ok(state, dudo("a"), (n) => {
      throw new Error(`rolled ${n}`);
    });
    expect(next).toMatchObject({ phase: "finished", winnerId: "a", turn: null, currentBid: null, round: 9 });
    expect(player(next, "b")).toMatchObject({ eliminated: true, dice: [] });
    expect(player(next, "a").dice).toEqual([2, 2]);
    expect(next.lastRound).toMatchObject({ loserId: "b", count: 1 });
    expect(events).toEqual([
      { type: "round-resolved", result: next.lastRound },
      { type: "player-eliminated", playerId: "b" },
      { type: "game-finished", winnerId: "a" },
      { type: "turn-changed", playerId: null },
    ]);
  });
});

describe("timeout", () => {
  it("opens with 1 x 2 when no bid stands", () => {
    const state = playing([seat("a", [2]), seat("b", [3])], { turn: "b" });
    const { state: next, events } = ok(state, timeout);
    expect(next.currentBid).toEqual(bidBy("b", 1, 2));
    expect(next.turn).toBe("a");
    expect(events).toEqual([{ type: "turn-changed", playerId: "a" }]);
  });
  it("raises the quantity by one with the same face", () => {
    const state = playing([seat("a", [2]), seat("b", [3])], { turn: "b", currentBid: bidBy("a", 3, 5) });
    expect(ok(state, timeout).state.currentBid).toEqual(bidBy("b", 4, 5));
  });
  it("keeps aces and the palifico face", () => {
    const aces = playing([seat("a", [2]), seat("b", [3, 3])], { turn: "b", currentBid: bidBy("a", 2, 1) });
    expect(ok(aces, timeout).state.currentBid).toEqual(bidBy("b", 3, 1));
    const pal = playing([seat("a", [2]), seat("b", [3, 3]), seat("c", [4])], {
      turn: "b",
      palifico: true,
      currentBid: bidBy("a", 2, 6),
    });
    expect(ok(pal, timeout).state.currentBid).toEqual(bidBy("b", 3, 6));
  });
});
