// A crash under live games: workerd is killed hard (SIGKILL, no graceful stop) while bots are
// in the middle of a burst of moves, then started again on the same persistence directory. Every
// move a client saw acknowledged (and every state delivered) is still there after the restart,
// the stored documents are whole (no room resets, no internal errors), every client is back in
// its seat on its own, and every game goes on to a winner with nothing applied twice.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { freePort, startDevServer, type DevServer } from "../support/dev-server.ts";
import { LiveGames, ledgerProblems, percentiles } from "../support/live-games.ts";
import { uniqueRoom } from "../support/ws-client.ts";

const ROOMS = 8;
let server: DevServer | undefined;
let games: LiveGames | undefined;
let persistTo: string | undefined;

afterAll(async () => {
  games?.closeAll();
  await server?.stop();
  if (persistTo) await rm(persistTo, { recursive: true, force: true });
});

function start(port: number, dir: string): Promise<DevServer> {
  return startDevServer({ persistTo: dir, port, vars: { TURN_SECONDS: "30", ROLLOUT_GRACE_SECONDS: "15" } });
}

it("SIGKILL of workerd mid-burst loses no acknowledged move and leaves no half-written document", { timeout: 600_000 }, async () => {
  persistTo = await mkdtemp(path.join(tmpdir(), "perudo-crash-"));
  const port = await freePort();
  server = await start(port, persistTo);
  games = new LiveGames(`127.0.0.1:${port}`);
  await Promise.all(Array.from({ length: ROOMS }, (_, i) => games!.table(uniqueRoom(`crash${i}`), 3 + (i % 2))));
  const notices: string[] = [];
  for (const bot of games.bots) bot.client.on("notice", ({ code }) => notices.push(`${bot.room}: ${code}`));
  await games.untilEveryGameHasMoves(3, 120_000);

  // Mid-burst: kill while moves are on the wire (sent, not yet acknowledged).
  const inFlight = () => games!.moves.filter((move) => move.result === undefined).length;
  while (inFlight() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  const pendingAtCrash = inFlight();
  const acknowledgedAtCrash = games.moves.filter((move) => move.result?.ok).length;
  expect(await server.crash()).toBeGreaterThanOrEqual(1);
  server = await start(port, persistTo);
  const backAt = Date.now();

  await games.untilEveryoneSeated(120_000);
  await games.untilEveryGameFinished(400_000);
  for (const bot of games.bots) expect(bot.client.state?.winnerId).toMatch(/^p_/);
  expect([...new Set(ledgerProblems(games))]).toEqual([]);
  // The documents were whole: no room started over, nothing failed inside the room.
  expect(notices).toEqual([]);
  expect(server.output()).not.toMatch(/unreadable|could not load|change failed/);

  const seated = percentiles(games.bots.map((bot) => Math.max(0, bot.backAt! - backAt)));
  console.info(
    `crash: ${games.bots.length} clients in ${ROOMS} rooms; ${pendingAtCrash} moves in flight and ${acknowledgedAtCrash} acknowledged at the kill; ` +
      `seated again after the server was back: median ${seated.median} ms, p99 ${seated.p99} ms; moves ${games.moves.length}`,
  );
});
