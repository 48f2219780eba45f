// The turn timer on real workerd, with TURN_SECONDS=2 (long enough for a
// real move to beat it on a busy machine): the Durable Object alarm acts for the
// player to act (the engine's timeout bid), moves turnDeadline, resets on a real move, and pauses
// while no player is connected.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../support/dev-server.ts";
import { ClientPool, startGame } from "../support/table.ts";
import { uniqueRoom } from "../support/ws-client.ts";

const TURN_MS = 2_000;
let server: DevServer;
const pool = new ClientPool();

beforeAll(async () => {
  server = await startDevServer({ vars: { TURN_SECONDS: String(TURN_MS / 1000) } });
});
afterEach(async () => {
  await pool.closeAll();
});
afterAll(async () => {
  await server?.stop();
});

describe("turn timer", () => {
  it("acts for the player when the deadline passes, and each move restarts the clock", async () => {
    const room = uniqueRoom("timer");
    const [ana, bob] = await pool.table(server.url, room, ["Ana", "Bob"]);
    const spectator = await pool.connect(server.url, room, "spectator");
    expect(spectator.initialState.turnDeadline).toBeNull(); // no timer in the lobby

    const startedAt = Date.now();
    const [first] = await startGame([ana!, bob!]);
    const opener = first!.turn!;
    expect(first!.turnDeadline).toBeGreaterThanOrEqual(startedAt + TURN_MS - 50);
    expect(first!.turnDeadline).toBeLessThanOrEqual(Date.now() + TURN_MS + 50);

    // Nobody moves: the opener "bids" 1 x 2 (the engine's timeout move) at the deadline.
    const timedOut = await spectator.state((s) => s.currentBid !== null);
    const firedAt = Date.now();
    expect(timedOut.currentBid).toEqual({ playerId: opener, quantity: 1, face: 2 });
    expect(timedOut.turn).not.toBe(opener);
    expect(firedAt).toBeGreaterThanOrEqual(first!.turnDeadline! - 50); // not early
    expect(timedOut.turnDeadline).toBeGreaterThanOrEqual(first!.turnDeadline! + TURN_MS);

    // And again for the next player: one more of the same face.
    const second = await spectator.state((s) => (s.currentBid?.quantity ?? 0) >= 2);
    expect(second.currentBid).toEqual({ playerId: timedOut.turn, quantity: 2, face: 2 });

    // A real move before the deadline resets it from the time of the move.
    const mover = [ana!, bob!].find((seat) => seat.playerId === second.turn)!;
    const movedAt = Date.now();
    mover.client.send({ type: "bid", quantity: 3, face: 6 });
    const moved = await spectator.state((s) => s.currentBid?.face === 6);
    expect(moved.currentBid).toEqual({ playerId: mover.playerId, quantity: 3, face: 6 });
    expect(moved.turnDeadline).toBeGreaterThanOrEqual(movedAt + TURN_MS - 50);
  });

  it("pauses when no player is connected, and resumes when one rejoins", async () => {
    const room = uniqueRoom("timer-alone");
    const seats = await pool.table(server.url, room, ["Ana", "Bob"]);
    const spectator = await pool.connect(server.url, room, "spectator");
    const [first] = await startGame(seats);
    for (const seat of seats) await seat.client.close();

    // The alarm fires at the deadline with nobody seated connected: no timeout bid, clock paused.
    const paused = await spectator.state((s) => s.turnDeadline === null);
    expect(Date.now()).toBeGreaterThanOrEqual(first!.turnDeadline! - 50);
    expect(paused.currentBid).toBeNull();
    expect(paused.turn).toBe(first!.turn);
    expect(paused.players.map((p) => p.connected)).toEqual([false, false]);

    // A player comes back: the clock restarts from now, and then the timer acts again.
    const back = await pool.connect(server.url, room, "bob-back");
    const rejoinedAt = Date.now();
    back.send({ type: "rejoin", seatToken: seats[1]!.seatToken });
    const resumed = await spectator.state((s) => s.turnDeadline !== null);
    expect(resumed.turnDeadline).toBeGreaterThanOrEqual(rejoinedAt + TURN_MS - 50);
    const timedOut = await spectator.state((s) => s.currentBid !== null);
    expect(timedOut.currentBid).toEqual({ playerId: first!.turn, quantity: 1, face: 2 });
  });
});
