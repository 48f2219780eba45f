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
async function restart(turnSeconds: number, graceSeconds = 2): Promise<DevServer> {
  const t0 = Date.now();
  await pool.closeAll();
  await server?.stop();
  const t1 = Date.now();
  server = await startDevServer({
    persistTo,
    port,
    vars: { TURN_SECONDS: String(turnSeconds), ROLLOUT_GRACE_SECONDS: String(graceSeconds) },
  });
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

    // Run 2, TURN_SECONDS=60, rollout grace 2 s, same directory and port.
    const restartBegan = Date.now();
    running = await restart(60);
    expect(running.port).toBe(port);
    const summaryAfter = await (await fetch(`${running.url}/party/${room}`)).json();
    expect(summaryAfter).toEqual({
      ...summaryBefore,
      players: summaryBefore.players.map((p) => ({ ...p, connected: false })),
    });

    // The room started with no socket: the turn got the rollout grace (2 s from its start, or
    // the stored deadline if later). Nobody seated is connected, so at that deadline the alarm
    // pauses the clock (no timeout bid). If we are early, we see the grace deadline first.
    const watcher = await pool.connect(running.url, room, "watcher");
    if (watcher.initialState.turnDeadline !== null) {
      expect(watcher.initialState.turnDeadline).toBeGreaterThanOrEqual(Math.max(deadline, restartBegan + 2_000));
    }
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

describe("rollout grace", () => {
  it("a turn that was due during the restart is not played for anyone: the player to act gets the grace", async () => {
    // TURN_SECONDS=3: the deadline runs out while the server is down (or right after it is back).
    let running = await restart(3, 8);
    const room = uniqueRoom("grace");
    const seats = await pool.table(running.url, room, ["Ana", "Bob"]);
    const [first] = await startGame(seats);
    const opener = seats.find((s) => s.playerId === first!.turn)!;
    const next = seats.find((s) => s !== opener)!;
    opener.client.send({ type: "bid", quantity: 2, face: 4 });
    const bidState = await next.client.state((s) => s.currentBid !== null);
    expect(bidState.turn).toBe(next.playerId);

    // The room may start before startDevServer returns (the stored alarm wakes it), so the
    // grace is measured from the moment the restart began: nothing starts earlier than that.
    const restartBegan = Date.now();
    running = await restart(3, 8);
    const client = pool.track(await TestClient.connect(roomUrl(running.url, room), { label: "next-back" }));
    client.send({ type: "rejoin", seatToken: next.seatToken });
    const rejoined = await client.state((s) => s.you !== null);
    // Still the same turn facing the same bid, with at least the grace ahead of it.
    expect(rejoined.round).toBe(1);
    expect(rejoined.turn).toBe(next.playerId);
    expect(rejoined.currentBid).toEqual(bidState.currentBid);
    // Without the grace the deadline would be at most (stop + 3 s), before restartBegan + 3 s.
    expect(rejoined.turnDeadline!).toBeGreaterThanOrEqual(restartBegan + 8_000);
    expect(rejoined.turnDeadline! - rejoined.serverTime).toBeGreaterThan(3_000);
    // And the player really can still act.
    client.send({ type: "bid", quantity: 3, face: 4 });
    const acted = await client.state((s) => s.currentBid?.quantity === 3);
    expect(acted.currentBid).toEqual({ playerId: next.playerId, quantity: 3, face: 4 });
  });
});

/** A state without the fields that legitimately differ between two sockets or two moments. */
function comparable(state: StateView): Omit<StateView, "players" | "serverTime"> & { players: Omit<StateView["players"][number], "connected">[] } {
  const { serverTime: _serverTime, ...rest } = state;
  return { ...rest, players: state.players.map(({ connected: _connected, ...player }) => player) };
}
