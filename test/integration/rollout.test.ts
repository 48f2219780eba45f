// A rollout under live games: 20 rooms with 3 to 6 library clients each, mid-game, while the
// server is restarted on the same persistence directory with a new BUILD_ID (what a deploy does
// to a Durable Object). Every client is back in its seat without any user action, every game
// goes on to a winner, nothing is applied twice, nothing delivered is lost, and no player loses
// a turn to the restart (the turn timer's bids would show up as bids no bot sent). Reports the
// reconnect times.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server.ts";
import { LiveGames, ledgerProblems, percentiles } from "../support/live-games.ts";
import { uniqueRoom } from "../support/ws-client.ts";

const ROOMS = 20;
let server: DevServer | undefined;
let games: LiveGames | undefined;
let persistTo: string | undefined;

afterAll(async () => {
  games?.closeAll();
  await server?.stop();
  if (persistTo) await rm(persistTo, { recursive: true, force: true });
});

function start(buildId: string, port: number, dir: string): Promise<DevServer> {
  // 30 s turns: bots act within 0.1 s, so only a restart could ever make the timer play.
  return startDevServer({ persistTo: dir, port, vars: { BUILD_ID: buildId, TURN_SECONDS: "30", ROLLOUT_GRACE_SECONDS: "15" } });
}

it("20 live rooms survive a restart with a new build: seats kept, games finish, no move lost or doubled", { timeout: 600_000 }, async () => {
  persistTo = await mkdtemp(path.join(tmpdir(), "perudo-rollout-"));
  const port = await freePort();
  server = await start("build-1", port, persistTo);
  games = new LiveGames(`127.0.0.1:${port}`);
  const sizes = Array.from({ length: ROOMS }, (_, i) => 3 + (i % 4));
  await Promise.all(sizes.map((players, i) => games!.table(uniqueRoom(`rollout${i}`), players)));
  expect(games.bots).toHaveLength(90);
  await games.untilEveryGameHasMoves(3, 120_000);

  // The deploy: stop build-1 while the games run, start build-2 on the same state.
  const stopAt = Date.now();
  await server.stop();
  server = await start("build-2", port, persistTo);
  const backAt = Date.now();
  expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ version: "build-2" });

  await games.untilEveryoneSeated(120_000);
  for (const bot of games.bots) {
    expect(bot.droppedAt, `${bot.room}/${bot.name} never saw the drop`).not.toBeNull();
    expect(bot.backAt, `${bot.room}/${bot.name} never rejoined`).not.toBeNull();
  }
  await games.untilEveryGameFinished(400_000);
  for (const bot of games.bots) expect(bot.client.state?.winnerId).toMatch(/^p_/);
  expect([...new Set(ledgerProblems(games))]).toEqual([]);

  const afterServerBack = percentiles(games.bots.map((bot) => Math.max(0, bot.backAt! - backAt)));
  const dropToSeat = percentiles(games.bots.map((bot) => bot.backAt! - bot.droppedAt!));
  const socketBack = percentiles(games.bots.map((bot) => Math.max(0, bot.reopenedAt! - backAt)));
  const rejoin = percentiles(games.bots.map((bot) => bot.backAt! - bot.reopenedAt!));
  console.info(
    `rollout: ${games.bots.length} clients in ${ROOMS} rooms; server down ${backAt - stopAt} ms; ` +
      `seated again after the server was back: median ${afterServerBack.median} ms, p99 ${afterServerBack.p99} ms, max ${afterServerBack.max} ms; ` +
      `(socket open again: median ${socketBack.median} ms, p99 ${socketBack.p99} ms; welcome to seated: median ${rejoin.median} ms, p99 ${rejoin.p99} ms); ` +
      `drop to seat: median ${dropToSeat.median} ms, p99 ${dropToSeat.p99} ms; moves ${games.moves.length}`,
  );
});
