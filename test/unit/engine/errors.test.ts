// Every error code the engine produces, in one table; and the guard order where two could apply.
import { describe, expect, it } from "vitest";
import { createGame } from "../../../party/engine/apply.ts";
import { ErrorCode, type Action, type GameState } from "../../../party/engine/types.ts";
import { bidBy, lobby, lobbySeat, playing, refused, seat } from "./helpers.ts";

const two = () => playing([seat("a", [2, 3]), seat("b", [4, 5])]);
const three = () => playing([seat("a", [2, 3]), seat("b", [4, 5]), seat("c", [6])], { currentBid: bidBy("c", 1, 2) });
const full = () => lobby(["a", "b", "c", "d", "e", "f"].map((id) => lobbySeat(id)));
const finishedAlone = () =>
  playing([seat("a", [2])], { phase: "finished", turn: null, winnerId: "a" });

const cases: [ErrorCode, string, () => GameState, Action][] = [
  [ErrorCode.BAD_MESSAGE, "unknown action type", createGame, { type: "shout" } as unknown as Action],
  [ErrorCode.WRONG_PHASE, "bid in the lobby", () => lobby([lobbySeat("a"), lobbySeat("b")]), { type: "bid", playerId: "a", quantity: 1, face: 2 }],
  [ErrorCode.WRONG_PHASE, "join while playing", two, { type: "join", playerId: "z", name: "Z" }],
  [ErrorCode.WRONG_PHASE, "start while playing", two, { type: "start", playerId: "a" }],
  [ErrorCode.WRONG_PHASE, "timeout in the lobby", createGame, { type: "timeout" }],
  [ErrorCode.NOT_YOUR_TURN, "bid out of turn", two, { type: "bid", playerId: "b", quantity: 1, face: 2 }],
  [ErrorCode.ILLEGAL_BID, "opening aces", two, { type: "bid", playerId: "a", quantity: 2, face: 1 }],
  [ErrorCode.NO_BID, "dudo with no bid", two, { type: "dudo", playerId: "a" }],
  [ErrorCode.NOT_HOST, "start by a guest", () => lobby([lobbySeat("a"), lobbySeat("b")]), { type: "start", playerId: "b" }],
  [ErrorCode.ROOM_FULL, "seventh join", full, { type: "join", playerId: "g", name: "G" }],
  [ErrorCode.NAME_TAKEN, "same name, other case", () => lobby([lobbySeat("a", "Bo")]), { type: "join", playerId: "b", name: "bO" }],
  [ErrorCode.ALREADY_JOINED, "same id twice", () => lobby([lobbySeat("a")]), { type: "join", playerId: "a", name: "Again" }],
  [ErrorCode.NOT_ENOUGH_PLAYERS, "restart alone", finishedAlone, { type: "start", playerId: "a" }],
  [ErrorCode.CALZA_NOT_ALLOWED, "calza with two left", () => ({ ...two(), currentBid: bidBy("b", 1, 2) }), { type: "calza", playerId: "a" }],
  [ErrorCode.UNKNOWN_SEAT, "leave without a seat", createGame, { type: "leave", playerId: "z" }],
  [ErrorCode.UNKNOWN_SEAT, "dudo without a seat", three, { type: "dudo", playerId: "z" }],
];

describe("engine error codes", () => {
  it.each(cases)("%s: %s", (code, _label, state, action) => {
    const error = refused(state(), action, code);
    expect(error.message).not.toMatch(/undefined|null|\[object/);
  });

  it("covers every code except the room's own RATE_LIMITED", () => {
    const produced = new Set(cases.map(([code]) => code));
    const roomOnly = new Set<ErrorCode>([ErrorCode.RATE_LIMITED]);
    for (const code of Object.values(ErrorCode)) expect(produced.has(code) || roomOnly.has(code)).toBe(true);
  });
});

describe("guard order", () => {
  it("phase before seat before turn before the bid itself", () => {
    const inLobby = lobby([lobbySeat("a"), lobbySeat("b")]);
    refused(inLobby, { type: "bid", playerId: "z", quantity: 0, face: 1 }, ErrorCode.WRONG_PHASE);
    refused(two(), { type: "bid", playerId: "z", quantity: 0, face: 1 }, ErrorCode.UNKNOWN_SEAT);
    refused(two(), { type: "bid", playerId: "b", quantity: 0, face: 1 }, ErrorCode.NOT_YOUR_TURN);
  });
  it("join: already seated before phase, full before name", () => {
    refused(two(), { type: "join", playerId: "a", name: "A" }, ErrorCode.ALREADY_JOINED);
    refused(full(), { type: "join", playerId: "g", name: "A" }, ErrorCode.ROOM_FULL);
  });
  it("calza: no bid before not allowed", () => {
    refused(two(), { type: "calza", playerId: "a" }, ErrorCode.NO_BID);
  });
  it("start: seat before host before player count", () => {
    refused(lobby([lobbySeat("a")]), { type: "start", playerId: "z" }, ErrorCode.UNKNOWN_SEAT);
    refused(lobby([lobbySeat("a"), lobbySeat("b")], { hostId: "b" }), { type: "start", playerId: "a" }, ErrorCode.NOT_HOST);
  });
});
