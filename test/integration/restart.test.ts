// Durability on real workerd: the dev server is stopped and started again on the same
// persistence directory and port, as an evicted or restarted Durable Object would be. Rooms resume
// exactly (round, dice, turn, bid), seat tokens still work, and a turn deadline stored before
// the restart still fires (by alarm) after it. Exact resumption of the deadline itself, without a
// restart in between, is covered in room-storage.test.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StateView } from "../../party/protocol.ts";
import { freePort, startDevServer, type DevServer } from "../support/dev-server.ts";
import { ClientPool, startGame, type Seat } from "../support/table.ts";
import { TestClient, roomUrl, uniqueRoom } from "../support/ws-client.ts";

let persistTo: string;
let port: number;
let server: DevServer | undefined;
const pool = new ClientPool();

/** (Re)starts the dev server on the shared directory and port. */
async function restart(turnSeconds: number): Promise<DevServer> {
  const t0 = Date.now();
  await pool.closeAll();
  await server?.stop();
  const t1 = Date.now();
  server = await startDevServer({ persistTo, port, vars: { TURN_SECONDS: String(turnSeconds) } });
  console.info(`restart: stop ${t1 - t0} ms, start ${Date.now() - t1} ms`);
  return server;
}

beforeAll(async () => {
  persistTo = await mkdtemp(path.join(tmpdir(), "perudo-restart-"));
  port = await freePort();
});
afterAll(async () => {
  await pool.closeAll();
  await server?.stop();
  await rm(persistTo, { recursive: true, force: true });
});

describe("restarting the server", () => {
  it("resumes the game exactly (round, dice, turn, bid), and the stored deadline still fires", async () => {
    // Run 1, TURN_SECONDS=5: a game with a bid on the table, then the server stops before the
    // turn deadline, so only an alarm after the restart can act on it.
    let running = await restart(5);
    const room = uniqueRoom("restart");
    const seats = await pool.table(running.url, room, ["Ana", "Bob", "Cy"]);
    const firstStates = await startGame(seats);
    const opener = seats.find((s) => s.playerId === firstStates[0]!.turn)!;
    opener.client.send({ type: "bid", quantity: 2, face: 3 });
    const before = await Promise.all(seats.map((seat) => seat.client.state((s) => s.currentBid !== null)));
    const deadline = before[0]!.turnDeadline!;
    const summaryBefore = (await (await fetch(`${running.url}/parties/main/${room}`)).json()) as {
      players: object[];
    };
    await pool.closeAll();
    await running.stop();
    expect(Date.now(), "the server took too long to stop").toBeLessThan(deadline);

    // Run 2, TURN_SECONDS=60, same directory and port.
    running = await restart(60);
    expect(running.port).toBe(port);
    const summaryAfter = await (await fetch(`${running.url}/party/${room}`)).json();
    expect(summaryAfter).toEqual({
      ...summaryBefore,
      players: summaryBefore.players.map((p) => ({ ...p, connected: false })),
    });

    // Nobody seated is connected after a restart, so at the stored deadline the alarm pauses the
    // clock (no timeout bid). If we are early, we see the stored deadline itself first.
    const watcher = await pool.connect(running.url, room, "watcher");
    if (watcher.initialState.turnDeadline !== null) expect(watcher.initialState.turnDeadline).toBe(deadline);
    const paused =
      watcher.initialState.turnDeadline === null
        ? watcher.initialState
        : await watcher.state((s) => s.turnDeadline === null, 20_000);
    expect(Date.now()).toBeGreaterThanOrEqual(deadline - 50);
    expect(comparable(paused)).toEqual({ ...comparable(before[0]!), you: null, turnDeadline: null });

    // Each player rejoins with the token from before the restart: same dice, turn, round, bid.
    // The first rejoin restarts the clock with the current TURN_SECONDS.
    const rejoinedAt = Date.now();
    const back: Seat[] = [];
    for (const [index, seat] of seats.entries()) {
      const client = pool.track(await TestClient.connect(roomUrl(running.url, room), { label: `${seat.name}-back` }));
      client.send({ type: "rejoin", seatToken: seat.seatToken });
      const state = await client.state((s) => s.you !== null && s.turnDeadline !== null);
      expect(comparable(state)).toEqual({ ...comparable(before[index]!), turnDeadline: state.turnDeadline });
      expect(state.you).toEqual(before[index]!.you);
      expect(state.turnDeadline).toBeGreaterThanOrEqual(rejoinedAt + 59_000);
      back.push({ ...seat, client });
    }
    const everyoneBack = await back[0]!.client.state((s) => s.players.every((p) => p.connected));
    expect(everyoneBack.round).toBe(1);

    // Play on: the player to act calls dudo, and the reveal shows the hands dealt before the restart.
    const caller = back.find((s) => s.playerId === before[0]!.turn)!;
    caller.client.send({ type: "dudo" });
    const resolved = await back[0]!.client.state((s) => s.lastRound !== null);
    for (const [index, seat] of seats.entries()) {
      expect(resolved.lastRound!.dice[seat.playerId]).toEqual(before[index]!.you!.dice);
    }
    expect(resolved.round).toBe(2);
  });
});

/** A state without the fields that legitimately differ between two sockets or two moments. */
function comparable(state: StateView): Omit<StateView, "players"> & { players: Omit<StateView["players"][number], "connected">[] } {
  return { ...state, players: state.players.map(({ connected: _connected, ...rest }) => rest) };
}
