// Durability on real workerd: the dev server is stopped and started again on the same
// persistence directory and port, as an evicted or restarted Durable Object would be. Rooms resume
// exactly (round, dice, turn, bid, deadline), seat tokens still work, and a turn deadline stored
// before the restart still fires (by alarm) after it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StateView } from "../../party/protocol.js";
import { freePort, startDevServer, type DevServer } from "../support/dev-server.js";
import { ClientPool, startGame, type Seat } from "../support/table.js";
import { TestClient, roomUrl, uniqueRoom } from "../support/ws-client.js";

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
  // Filled by the first step, checked by the second (the steps run in order).
  const pendingTimeout = { room: uniqueRoom("restart-timer"), deadline: 0, opener: "", openerToken: "" };

  it("step 1: a game whose turn deadline (2 s) will pass while the server is down", async () => {
    const running = await restart(2);
    const seats = await pool.table(running.url, pendingTimeout.room, ["Ana", "Bob"]);
    const [state] = await startGame(seats);
    pendingTimeout.deadline = state!.turnDeadline!;
    pendingTimeout.opener = state!.turn!;
    pendingTimeout.openerToken = seats.find((s) => s.playerId === state!.turn)!.seatToken;
    expect(state!.currentBid).toBeNull();
  });

  it("step 2: the stored deadline fires after the restart, and a new game resumes exactly after another", async () => {
    // TURN_SECONDS=60 now, so only the alarm stored before the restart can fire this soon.
    let running = await restart(60);
    const watcher = await pool.connect(running.url, pendingTimeout.room, "watcher");
    // Nobody seated is connected after a restart, so the alarm pauses the clock (no timeout bid).
    if (watcher.initialState.turnDeadline !== null) {
      expect(watcher.initialState.turnDeadline).toBe(pendingTimeout.deadline); // not fired yet
    }
    const paused =
      watcher.initialState.turnDeadline === null ? watcher.initialState : await watcher.state((s) => s.turnDeadline === null, 20_000);
    expect(paused.currentBid).toBeNull();
    expect(paused.turn).toBe(pendingTimeout.opener);
    // Rejoining restarts the clock with the current TURN_SECONDS.
    const rejoinedAt = Date.now();
    watcher.send({ type: "rejoin", seatToken: pendingTimeout.openerToken });
    const resumed = await watcher.state((s) => s.turnDeadline !== null);
    expect(resumed.you?.id).toBe(pendingTimeout.opener);
    expect(resumed.turnDeadline).toBeGreaterThanOrEqual(rejoinedAt + 59_000);

    // A game with a bid on the table, then a restart.
    const room = uniqueRoom("restart");
    const seats = await pool.table(running.url, room, ["Ana", "Bob", "Cy"]);
    const firstStates = await startGame(seats);
    const opener = seats.find((s) => s.playerId === firstStates[0]!.turn)!;
    opener.client.send({ type: "bid", quantity: 2, face: 3 });
    const before = await Promise.all(seats.map((seat) => seat.client.state((s) => s.currentBid !== null)));
    const summaryBefore = await (await fetch(`${running.url}/parties/main/${room}`)).json();

    running = await restart(60);
    expect(running.port).toBe(port);

    // Summary (nobody connected now) and the public state are unchanged.
    const summaryAfter = (await (await fetch(`${running.url}/party/${room}`)).json()) as typeof summaryBefore;
    expect(summaryAfter).toEqual({
      ...(summaryBefore as object),
      players: (summaryBefore as { players: object[] }).players.map((p) => ({ ...p, connected: false })),
    });

    // Each player rejoins with the token from before the restart: same dice, turn, bid, deadline.
    const back: Seat[] = [];
    for (const [index, seat] of seats.entries()) {
      const client = pool.track(await TestClient.connect(roomUrl(running.url, room), { label: `${seat.name}-back` }));
      client.send({ type: "rejoin", seatToken: seat.seatToken });
      const state = await client.state((s) => s.you !== null);
      expect(comparable(state)).toEqual(comparable(before[index]!));
      expect(state.you).toEqual(before[index]!.you);
      back.push({ ...seat, client });
    }
    const everyoneBack = await back[0]!.client.state((s) => s.players.every((p) => p.connected));
    expect(everyoneBack.round).toBe(1);

    // Play on: the next player calls dudo, and the reveal shows the hands dealt before the restart.
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
