// Whole games on real workerd with production (crypto) dice: random legal moves until a winner,
// and every resolved round re-checked against Perudo's rules from the dice revealed in lastRound.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClientMessage, StateView } from "../../party/protocol.ts";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { ClientPool, expectPrivateStates, startGame } from "../support/table.ts";
import { uniqueRoom } from "../support/ws-client.ts";

let server: DevServer;
const pool = new ClientPool();

beforeAll(async () => {
  server = await startDevServer();
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.stop();
});

type Face = 1 | 2 | 3 | 4 | 5 | 6;
const MAX_ACTIONS = 1_000;

describe("a full game", () => {
  it.each([
    { players: ["Ana", "Bob"] },
    { players: ["Ana", "Bob", "Cy", "Di"] },
  ])("$players.length players play to a winner; every round resolves by the rules", async ({ players }) => {
    const room = uniqueRoom(`game${players.length}`);
    const seats = await pool.table(server.url, room, players);
    const spectator = await pool.connect(server.url, room, "spectator");
    expect(spectator.initialState.players).toHaveLength(players.length);

    const firstStates = await startGame(seats);
    let state = await spectator.state((s) => s.phase === "playing");
    const hands = new Map(seats.map((seat, i) => [seat.playerId, firstStates[i]!.you!.dice]));
    const hadPalifico = new Set<string>();
    const stats = { actions: 0, rounds: 0, calzas: 0, palificos: 0 };

    while (state.phase === "playing") {
      expect(++stats.actions).toBeLessThan(MAX_ACTIONS);
      const actor = seats.find((s) => s.playerId === state.turn)!;
      const move = chooseMove(state);
      actor.client.send(move);

      // Every accepted action is one state to every connection.
      const next = (await spectator.next("state")).state;
      const seatStates = await Promise.all(seats.map((seat) => seat.client.next("state")));

      if (move.type === "bid") {
        expect(next.round).toBe(state.round);
        expect(next.currentBid).toEqual({ playerId: actor.playerId, quantity: move.quantity, face: move.face });
        expect(next.turn).toBe(nextActive(state, actor.playerId));
        expect(next.lastRound).toEqual(state.lastRound);
      } else {
        checkResolution(state, next, move.type, actor.playerId, hands, hadPalifico);
        stats.rounds++;
        if (move.type === "calza") stats.calzas++;
        if (next.palifico) stats.palificos++;
      }
      seats.forEach((seat, i) => {
        const own = seatStates[i]!.state;
        expect({ ...own, you: null }).toEqual(next); // same public state for everyone
        if (own.you !== null) hands.set(seat.playerId, own.you.dice);
        expect(own.you?.dice.length ?? 0).toBe(next.players.find((p) => p.id === seat.playerId)!.diceCount);
      });
      state = next;
    }

    console.info(`${players.length} players: ${JSON.stringify(stats)}`);
    expect(state.phase).toBe("finished");
    const survivors = state.players.filter((p) => !p.eliminated);
    expect(survivors).toHaveLength(1);
    expect(state.winnerId).toBe(survivors[0]!.id);
    expect(state.turn).toBeNull();
    expect(state.turnDeadline).toBeNull();
    // Each round costs at most one die, and all but one player must lose all five.
    expect(stats.rounds).toBeGreaterThanOrEqual(5 * (players.length - 1));

    // No refusals happened, and no socket ever saw another's dice outside lastRound.
    for (const seat of seats) {
      expect(seat.client.received.filter((m) => m.type === "error")).toEqual([]);
      expectPrivateStates(seat.client, seat.playerId);
    }
    expectPrivateStates(spectator, null);
    expect(spectator.received.every((m) => m.type !== "state" || m.state.you === null)).toBe(true);

    // The host can start a new game at the same table.
    seats[0]!.client.send({ type: "start" });
    const again = await spectator.state((s) => s.phase === "playing");
    expect(again.round).toBe(1);
    expect(again.winnerId).toBeNull();
    expect(again.players.map((p) => [p.diceCount, p.eliminated])).toEqual(players.map(() => [5, false]));
  });
});

/** Checks a dudo or calza: the revealed dice, the count, who lost or gained, and what follows. */
function checkResolution(
  before: StateView,
  after: StateView,
  call: "dudo" | "calza",
  callerId: string,
  hands: Map<string, Face[]>,
  hadPalifico: Set<string>,
): void {
  const bid = before.currentBid!;
  const result = after.lastRound!;
  expect(result.call).toBe(call);
  expect(result.callerId).toBe(callerId);
  expect(result.bid).toEqual(bid);

  const active = before.players.filter((p) => !p.eliminated);
  expect(Object.keys(result.dice).sort()).toEqual(active.map((p) => p.id).sort());
  for (const player of active) {
    // The reveal is exactly the hand that player was shown this round.
    expect(result.dice[player.id]).toEqual(hands.get(player.id));
    expect(result.dice[player.id]).toHaveLength(player.diceCount);
  }

  const wild = bid.face !== 1 && !before.palifico;
  const count = Object.values(result.dice)
    .flat()
    .filter((die) => die === bid.face || (wild && die === 1)).length;
  expect(result.count).toBe(count);

  let loserId: string | null = null;
  let gainerId: string | null = null;
  if (call === "dudo") loserId = count >= bid.quantity ? callerId : bid.playerId;
  else if (count === bid.quantity) gainerId = callerId;
  else loserId = callerId;
  expect({ loserId: result.loserId, gainerId: result.gainerId }).toEqual({ loserId, gainerId });

  const expectedCounts = before.players.map((p) => {
    if (p.id === loserId) return p.diceCount - 1;
    if (p.id === gainerId) return Math.min(5, p.diceCount + 1);
    return p.diceCount;
  });
  expect(after.players.map((p) => p.diceCount)).toEqual(expectedCounts);
  expect(after.players.map((p) => p.eliminated)).toEqual(expectedCounts.map((n) => n === 0));

  const stillIn = after.players.filter((p) => !p.eliminated);
  if (stillIn.length === 1) {
    expect(after.phase).toBe("finished");
    expect(after.winnerId).toBe(stillIn[0]!.id);
    return;
  }
  expect(after.phase).toBe("playing");
  expect(after.round).toBe(before.round + 1);
  expect(after.currentBid).toBeNull();
  expect(after.turnDeadline).not.toBeNull();

  const loserCount = loserId === null ? null : expectedCounts[before.players.findIndex((p) => p.id === loserId)];
  const palifico = loserId !== null && loserCount === 1 && !hadPalifico.has(loserId) && stillIn.length > 2;
  expect(after.palifico).toBe(palifico);
  if (palifico) hadPalifico.add(loserId!);

  const openFrom = call === "calza" ? callerId : loserId!;
  const opener = after.players.find((p) => p.id === openFrom)!.eliminated ? nextActive(after, openFrom) : openFrom;
  expect(after.turn).toBe(opener);
}

/** The next non-eliminated player after `id` in seat order. */
function nextActive(state: StateView, id: string): string | null {
  const seats = state.players;
  const from = seats.findIndex((p) => p.id === id);
  for (let step = 1; step < seats.length; step++) {
    const candidate = seats[(from + step) % seats.length]!;
    if (!candidate.eliminated) return candidate.id;
  }
  return null;
}

const random = (n: number) => Math.floor(Math.random() * n);
const randomFace = (from: number): Face => (from + random(7 - from)) as Face;

/** A random legal move: calls grow likelier as the bid approaches the dice on the table. */
function chooseMove(state: StateView): Extract<ClientMessage, { type: "bid" | "dudo" | "calza" }> {
  const bid = state.currentBid;
  const onTable = state.players.reduce((sum, p) => sum + p.diceCount, 0);
  const active = state.players.filter((p) => !p.eliminated).length;
  const myDice = state.players.find((p) => p.id === state.turn)!.diceCount;

  if (bid !== null && Math.random() < Math.min(0.9, (1.6 * bid.quantity) / onTable)) {
    const calzaAllowed = active > 2 && !state.palifico;
    return calzaAllowed && Math.random() < 0.3 ? { type: "calza" } : { type: "dudo" };
  }
  if (bid === null) {
    return { type: "bid", quantity: 1 + random(2), face: state.palifico ? randomFace(1) : randomFace(2) };
  }
  const { quantity: q, face: f } = bid;
  if (state.palifico) {
    // Only a player down to one die may change the face in a palifico round.
    return { type: "bid", quantity: q + 1, face: myDice === 1 ? randomFace(1) : (f as Face) };
  }
  const options: { quantity: number; face: Face }[] = [{ quantity: q + 1, face: f as Face }];
  if (f !== 1) {
    if (f < 6) options.push({ quantity: q, face: randomFace(f + 1) });
    options.push({ quantity: Math.ceil(q / 2), face: 1 });
  } else {
    options.push({ quantity: 2 * q + 1, face: randomFace(2) });
  }
  const choice = options[random(options.length)]!;
  return { type: "bid", ...choice };
}
