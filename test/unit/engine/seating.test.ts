// join, leave, start and restart: the lobby, host hand-over and the finished table.
import { describe, expect, it } from "vitest";
import { createGame } from "../../../party/engine/apply.ts";
import { ErrorCode, type GameState } from "../../../party/engine/types.ts";
import { bidBy, lobby, lobbySeat, ok, player, playing, refused, scriptedDice, seat } from "./helpers.ts";

const join = (playerId: string, name = playerId.toUpperCase()) => ({ type: "join", playerId, name }) as const;
const leave = (playerId: string) => ({ type: "leave", playerId }) as const;
const start = (playerId: string) => ({ type: "start", playerId }) as const;

function seated(...ids: string[]): GameState {
  return ids.reduce((state, id) => ok(state, join(id)).state, createGame());
}

describe("createGame", () => {
  it("is an empty lobby at round 0", () => {
    expect(createGame()).toEqual({
      phase: "lobby",
      round: 0,
      hostId: null,
      players: [],
      turn: null,
      currentBid: null,
      palifico: false,
      lastRound: null,
      winnerId: null,
    });
  });
  it("returns a fresh object each time", () => {
    const a = createGame();
    a.players.push(lobbySeat("x"));
    expect(createGame().players).toEqual([]);
  });
});

describe("join", () => {
  it("seats players in join order; the first one hosts", () => {
    const state = seated("a", "b", "c");
    expect(state.players.map((p) => p.id)).toEqual(["a", "b", "c"]);
    expect(state.hostId).toBe("a");
    expect(player(state, "b")).toEqual({ id: "b", name: "B", dice: [], eliminated: false, hadPalifico: false });
  });
  it("emits no events", () => {
    expect(ok(createGame(), join("a")).events).toEqual([]);
  });
  it("refuses a seventh player with ROOM_FULL", () => {
    const full = seated("a", "b", "c", "d", "e", "f");
    refused(full, join("g"), ErrorCode.ROOM_FULL);
  });
  it("refuses a name already taken, ignoring case and surrounding spaces", () => {
    const state = ok(createGame(), join("a", "Ana")).state;
    refused(state, join("b", "ana"), ErrorCode.NAME_TAKEN);
    refused(state, join("b", "  ANA "), ErrorCode.NAME_TAKEN);
    expect(ok(state, join("b", "Anna")).state.players).toHaveLength(2);
  });
  it("refuses the same player id twice with ALREADY_JOINED, in any phase", () => {
    refused(seated("a"), join("a", "Other"), ErrorCode.ALREADY_JOINED);
    refused(playing([seat("a", [2]), seat("b", [3])]), join("a", "Other"), ErrorCode.ALREADY_JOINED);
  });
  it("refuses joining a game in progress with WRONG_PHASE", () => {
    refused(playing([seat("a", [2]), seat("b", [3])]), join("c"), ErrorCode.WRONG_PHASE);
  });
  it("seats a new player at a finished table, ready for the restart", () => {
    const finished = playing([seat("a", [2]), seat("b", [])], { phase: "finished", turn: null, winnerId: "a" });
    const state = ok(finished, join("c")).state;
    expect(player(state, "c")).toMatchObject({ dice: [], eliminated: false });
    expect(state.phase).toBe("finished");
  });
  it("makes the joiner host of a table with no host", () => {
    expect(ok(createGame(), join("z")).state.hostId).toBe("z");
  });
});

describe("start", () => {
  it("deals five dice to everyone, round 1, the host opens", () => {
    const state = seated("a", "b", "c");
    const { state: next, events } = ok(state, start("a"), scriptedDice([
      2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4,
    ]));
    expect(next.phase).toBe("playing");
    expect(next.round).toBe(1);
    expect(next.turn).toBe("a");
    expect(next.currentBid).toBeNull();
    expect(next.players.map((p) => p.dice)).toEqual([
      [2, 2, 2, 2, 2],
      [3, 3, 3, 3, 3],
      [4, 4, 4, 4, 4],
    ]);
    expect(events).toEqual([
      { type: "round-started", round: 1, openerId: "a", palifico: false },
      { type: "turn-changed", playerId: "a" },
    ]);
  });
  it("the host opens even when not seated first", () => {
    const state = { ...seated("a", "b", "c"), hostId: "b" };
    expect(ok(state, start("b")).state.turn).toBe("b");
  });
  it("refuses a non-host with NOT_HOST", () => {
    refused(seated("a", "b"), start("b"), ErrorCode.NOT_HOST);
  });
  it("refuses an unseated player with UNKNOWN_SEAT", () => {
    refused(seated("a", "b"), start("zz"), ErrorCode.UNKNOWN_SEAT);
  });
  it("refuses a lone host with NOT_ENOUGH_PLAYERS", () => {
    refused(seated("a"), start("a"), ErrorCode.NOT_ENOUGH_PLAYERS);
  });
  it("refuses while playing with WRONG_PHASE", () => {
    refused(playing([seat("a", [2]), seat("b", [3])]), start("a"), ErrorCode.WRONG_PHASE);
  });
  it("restarts a finished game with everyone still seated, full cups and palifico reset", () => {
    const finished: GameState = {
      ...playing([seat("a", [2, 3], { hadPalifico: true }), seat("b", []), seat("c", [])]),
      phase: "finished",
      round: 14,
      turn: null,
      winnerId: "a",
      lastRound: {
        round: 13,
        call: "dudo",
        callerId: "b",
        bid: bidBy("a", 1, 2),
        dice: { a: [2, 3], b: [4] },
        count: 1,
        loserId: "b",
        gainerId: null,
      },
    };
    const { state } = ok(finished, start("a"));
    expect(state).toMatchObject({ phase: "playing", round: 1, turn: "a", winnerId: null, lastRound: null });
    for (const p of state.players) {
      expect(p).toMatchObject({ eliminated: false, hadPalifico: false });
      expect(p.dice).toHaveLength(5);
    }
  });
});

describe("leave", () => {
  it("in the lobby frees the seat", () => {
    const state = ok(seated("a", "b", "c"), leave("b")).state;
    expect(state.players.map((p) => p.id)).toEqual(["a", "c"]);
    expect(state.hostId).toBe("a");
  });
  it("hands the host role to the next seated player", () => {
    expect(ok(seated("a", "b", "c"), leave("a")).state.hostId).toBe("b");
    const hostLast = { ...seated("a", "b", "c"), hostId: "c" };
    expect(ok(hostLast, leave("c")).state.hostId).toBe("a");
  });
  it("hands the host role to an eliminated player too: they are still seated", () => {
    const state = playing([seat("a", [2, 2]), seat("b", []), seat("c", [3]), seat("d", [4])], { turn: "c" });
    const next = ok(state, leave("a")).state;
    expect(next.hostId).toBe("b");
  });
  it("resets an emptied table to a fresh lobby", () => {
    expect(ok(seated("a"), leave("a")).state).toEqual(createGame());
  });
  it("refuses a player without a seat with UNKNOWN_SEAT", () => {
    refused(seated("a"), leave("zz"), ErrorCode.UNKNOWN_SEAT);
  });
  it("mid-game eliminates the leaver and frees their seat; turn stays if not theirs", () => {
    const state = playing([seat("a", [2, 2]), seat("b", [3, 3]), seat("c", [4])], {
      turn: "c",
      currentBid: bidBy("b", 2, 3),
    });
    const { state: next, events } = ok(state, leave("a"));
    expect(next.players.map((p) => p.id)).toEqual(["b", "c"]);
    expect(next.turn).toBe("c");
    expect(next.currentBid).toEqual(bidBy("b", 2, 3));
    expect(next.hostId).toBe("b");
    expect(events).toEqual([{ type: "player-eliminated", playerId: "a" }]);
  });
  it("mid-game passes the turn on when the player to act leaves", () => {
    const state = playing([seat("a", [2]), seat("b", [3]), seat("c", [4])], {
      turn: "b",
      currentBid: bidBy("a", 1, 5),
    });
    const { state: next, events } = ok(state, leave("b"));
    expect(next.turn).toBe("c");
    expect(next.currentBid).toEqual(bidBy("a", 1, 5));
    expect(events).toEqual([
      { type: "player-eliminated", playerId: "b" },
      { type: "turn-changed", playerId: "c" },
    ]);
  });
  it("mid-game wraps the turn around when the last seat to act leaves", () => {
    const state = playing([seat("a", [2]), seat("b", [3]), seat("c", [4])], { turn: "c" });
    expect(ok(state, leave("c")).state.turn).toBe("a");
  });
  it("mid-game with two left: the one standing wins", () => {
    const state = playing([seat("a", [2]), seat("b", []), seat("c", [4])], { turn: "c", currentBid: bidBy("a", 1, 2) });
    const { state: next, events } = ok(state, leave("c"));
    expect(next).toMatchObject({ phase: "finished", winnerId: "a", turn: null, currentBid: null });
    expect(events).toEqual([
      { type: "player-eliminated", playerId: "c" },
      { type: "game-finished", winnerId: "a" },
      { type: "turn-changed", playerId: null },
    ]);
  });
  it("by an already eliminated player mid-game only frees the seat", () => {
    const state = playing([seat("a", [2]), seat("b", []), seat("c", [4])], { turn: "c", currentBid: bidBy("a", 1, 2) });
    const { state: next, events } = ok(state, leave("b"));
    expect(events).toEqual([]);
    expect(next).toEqual({ ...state, players: [state.players[0], state.players[2]] });
  });
  it("in a finished game frees the seat like the lobby; the result stays", () => {
    const finished = playing([seat("a", [2]), seat("b", []), seat("c", [])], {
      phase: "finished",
      turn: null,
      winnerId: "a",
    });
    const { state, events } = ok(finished, leave("a"));
    expect(events).toEqual([]);
    expect(state.players.map((p) => p.id)).toEqual(["b", "c"]);
    expect(state).toMatchObject({ phase: "finished", winnerId: "a", hostId: "b" });
    // The new host can restart with whoever is still seated.
    const restarted = ok(state, start("b")).state;
    expect(restarted.players.map((p) => p.id)).toEqual(["b", "c"]);
  });
  it("a departed bidder's bid still stands; a failed dudo on it costs nobody a die", () => {
    // a bid 3 x 6, then left; b (to act) calls dudo: there's only one 6, but a is gone.
    const state = playing([seat("a", [6, 6]), seat("b", [6, 2]), seat("c", [3, 4])], {
      turn: "b",
      currentBid: bidBy("a", 3, 6),
    });
    const afterLeave = ok(state, leave("a")).state;
    const { state: next } = ok(afterLeave, { type: "dudo", playerId: "b" });
    expect(next.lastRound).toMatchObject({ count: 1, loserId: null, gainerId: null });
    expect(next.players.map((p) => p.dice.length)).toEqual([2, 2]);
    expect(next.turn).toBe("b");
  });
});

describe("unknown actions", () => {
  it("are refused with BAD_MESSAGE", () => {
    refused(createGame(), { type: "flip-table" } as never, ErrorCode.BAD_MESSAGE);
    refused(createGame(), null as never, ErrorCode.BAD_MESSAGE);
  });
});

