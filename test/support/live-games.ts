// Many live games at once, played by bots on the client library (client/), with a ledger of
// every move each bot sent and its outcome and of every state each client saw. The rollout and
// crash tests restart the server under these games and then check the ledger: seats kept,
// nothing applied twice, nothing acknowledged lost, no turn played by the server.
import { memorySeatStore, type MoveResult, type PerudoClient, type StateView } from "../../client/index.ts";
import { connectFromNode } from "../../client/node.ts";
import { testClientIp } from "./ws-client.ts";
import type { Face } from "../../party/engine/types.ts";
import { untilState, untilStatus } from "./client-events.ts";

export interface SentMove {
  room: string;
  playerId: string;
  round: number;
  kind: "bid" | "dudo" | "calza";
  quantity?: number;
  face?: Face;
  at: number;
  result?: MoveResult;
  /** The room's state key the sender saw when the move was acknowledged. */
  ackedKey?: string;
}

export interface Bot {
  name: string;
  room: string;
  client: PerudoClient;
  playerId: string;
  /** [local time, state key] of every state received. */
  history: { at: number; key: string; state: StateView }[];
  /** When the socket last dropped, and when the seat was back (ready, seated) after it. */
  droppedAt: number | null;
  /** When the room's welcome arrived again (the socket was open) after the drop. */
  reopenedAt: number | null;
  backAt: number | null;
}

/** What identifies a room's game position (the same for every seat's view). */
export function stateKey(state: StateView): string {
  return JSON.stringify([state.phase, state.round, state.turn, state.currentBid, state.players.map((p) => p.diceCount)]);
}

export class LiveGames {
  readonly bots: Bot[] = [];
  readonly moves: SentMove[] = [];
  #acting = true;

  readonly host: string;

  constructor(host: string) {
    this.host = host;
  }

  /** Seats `players` bots in `room` and starts the game. */
  async table(room: string, players: number): Promise<Bot[]> {
    const seated: Bot[] = [];
    for (let i = 0; i < players; i++) {
      const client = connectFromNode({
        host: this.host,
        room,
        store: memorySeatStore(),
        // One address per player, as on the internet: the Worker's per-IP upgrade limit
        // (60 a minute) would otherwise refuse a whole test's reconnections from 127.0.0.1.
        headers: { "CF-Connecting-IP": testClientIp() },
        // Spread the reconnections as real clients would (the library adds the jitter).
        reconnect: { minDelay: 100, jitter: 400, maxDelay: 2_000 },
      });
      const bot: Bot = { name: `P${i}`, room, client, playerId: "", history: [], droppedAt: null, reopenedAt: null, backAt: null };
      client.on("state", (state) => bot.history.push({ at: Date.now(), key: stateKey(state), state }));
      client.on("status", (status) => {
        if (status === "connecting" && bot.droppedAt === null) bot.droppedAt = Date.now();
        if (status === "rejoining" && bot.droppedAt !== null && bot.reopenedAt === null) bot.reopenedAt = Date.now();
      });
      client.on("seated", () => {
        if (bot.droppedAt !== null && bot.backAt === null) bot.backAt = Date.now();
      });
      const joined = await client.join(bot.name);
      if (!joined.ok) throw new Error(`${room}/${bot.name} could not join: ${JSON.stringify(joined)}`);
      bot.playerId = client.playerId!;
      seated.push(bot);
    }
    const started = await seated[0]!.client.start();
    if (!started.ok) throw new Error(`${room} did not start: ${JSON.stringify(started)}`);
    for (const bot of seated) {
      await untilState(bot.client, (s) => s.phase === "playing");
      bot.client.on("state", (state) => this.#maybeAct(bot, state));
      this.#maybeAct(bot, bot.client.state!);
    }
    this.bots.push(...seated);
    return seated;
  }

  /** Bots stop making moves (the games freeze where they are). */
  pause(): void {
    this.#acting = false;
  }
  resume(): void {
    this.#acting = true;
    for (const bot of this.bots) if (bot.client.state) this.#maybeAct(bot, bot.client.state);
  }

  /** Moves sent per room so far. */
  movesIn(room: string): SentMove[] {
    return this.moves.filter((move) => move.room === room);
  }

  async untilEveryGameHasMoves(count: number, timeoutMs: number): Promise<void> {
    const rooms = [...new Set(this.bots.map((bot) => bot.room))];
    const deadline = Date.now() + timeoutMs;
    while (rooms.some((room) => this.movesIn(room).filter((m) => m.result?.ok).length < count)) {
      if (Date.now() > deadline) throw new Error(`not every room made ${count} moves within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async untilEveryGameFinished(timeoutMs: number): Promise<void> {
    await Promise.all(this.bots.map((bot) => untilState(bot.client, (s) => s.phase === "finished", timeoutMs)));
  }

  async untilEveryoneSeated(timeoutMs: number): Promise<void> {
    await Promise.all(
      this.bots.map(async (bot) => {
        await untilStatus(bot.client, "ready", timeoutMs);
        await untilState(bot.client, (s) => s.you?.id === bot.playerId, timeoutMs);
      }),
    );
  }

  closeAll(): void {
    for (const bot of this.bots) bot.client.close();
  }

  /** One move per state in which it is this bot's turn (a little thinking time spreads the load). */
  #maybeAct(bot: Bot, state: StateView): void {
    if (!this.#acting || state.phase !== "playing" || state.turn !== bot.playerId) return;
    const key = stateKey(state);
    if ((bot as Bot & { actedOn?: string }).actedOn === key) return;
    (bot as Bot & { actedOn?: string }).actedOn = key;
    setTimeout(() => void this.#act(bot, state), 10 + Math.random() * 60);
  }

  async #act(bot: Bot, state: StateView): Promise<void> {
    const bid = state.currentBid;
    const dice = state.players.reduce((sum, p) => sum + p.diceCount, 0);
    const move: SentMove = { room: bot.room, playerId: bot.playerId, round: state.round, kind: "bid", at: Date.now() };
    if (bid !== null && (bid.quantity >= Math.ceil(dice / 3) || Math.random() < 0.3)) {
      move.kind = "dudo";
    } else {
      move.quantity = bid === null ? 1 : bid.quantity + 1;
      move.face = bid === null ? ((2 + Math.floor(Math.random() * 5)) as Face) : bid.face;
      // Never the same bid twice from one seat in a round (a resend after a drop must not repeat it).
      while (this.moves.some((m) => m.playerId === bot.playerId && m.round === state.round && m.quantity === move.quantity && m.face === move.face)) {
        move.quantity!++;
      }
    }
    this.moves.push(move);
    move.result = await (move.kind === "dudo" ? bot.client.dudo() : bot.client.bid(move.quantity!, move.face!));
    if (move.result.ok && bot.client.state) move.ackedKey = stateKey(bot.client.state);
    // Refused or unknown (dropped): look again at the latest state.
    if (!move.result.ok && bot.client.state) {
      (bot as Bot & { actedOn?: string }).actedOn = undefined;
      this.#maybeAct(bot, bot.client.state);
    }
  }
}

/** Median and 99th percentile (nearest rank) of `values`. */
export function percentiles(values: number[]): { median: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { median: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

/**
 * Everything the ledger says went wrong around a restart (empty when all is well):
 * - a bid in any state that its player's bot did not send, or sent twice (a move applied twice,
 *   or the server playing a turn: the timer's bids are never sent by a bot);
 * - a round resolved by a call its caller did not send in that round;
 * - a room whose first state after the restart is older than a state delivered before it
 *   (delivered states are durable: the output gate holds them until the write is), or older
 *   than an acknowledged move's state.
 */
export function ledgerProblems(games: LiveGames): string[] {
  const problems: string[] = [];
  const sentBids = new Map<string, number>();
  for (const move of games.moves) {
    if (move.kind !== "bid") continue;
    const key = JSON.stringify([move.room, move.round, move.playerId, move.quantity, move.face]);
    sentBids.set(key, (sentBids.get(key) ?? 0) + 1);
  }
  const calls = new Set(games.moves.filter((m) => m.kind !== "bid").map((m) => JSON.stringify([m.room, m.round, m.playerId])));
  for (const bot of games.bots) {
    for (const { state } of bot.history) {
      const bid = state.currentBid;
      if (bid) {
        const sent = sentBids.get(JSON.stringify([bot.room, state.round, bid.playerId, bid.quantity, bid.face])) ?? 0;
        if (sent !== 1) problems.push(`${bot.room} round ${state.round}: bid ${bid.quantity}x${bid.face} by ${bid.playerId} was sent ${sent} times`);
      }
      const last = state.lastRound;
      if (last && !calls.has(JSON.stringify([bot.room, last.round, last.callerId]))) {
        problems.push(`${bot.room} round ${last.round}: ${last.call} by ${last.callerId} was never sent`);
      }
    }
  }

  for (const room of new Set(games.bots.map((bot) => bot.room))) {
    const bots = games.bots.filter((bot) => bot.room === room);
    const sequence: string[] = [];
    const before = (bot: Bot) => bot.history.filter((entry) => bot.droppedAt === null || entry.at < bot.droppedAt);
    // Every bot saw every broadcast while connected; the longest pre-restart history is the order.
    const longest = bots.map(before).sort((a, b) => b.length - a.length)[0]!;
    for (const { key } of longest) if (sequence.at(-1) !== key) sequence.push(key);
    const lastDelivered = Math.max(...bots.flatMap((bot) => before(bot).map(({ key }) => sequence.indexOf(key))));
    const lastAcked = Math.max(-1, ...games.movesIn(room).flatMap((m) => (m.ackedKey && m.result?.ok ? [sequence.indexOf(m.ackedKey)] : [])));
    for (const bot of bots) {
      const first = bot.history.find((entry) => bot.droppedAt !== null && entry.at >= bot.droppedAt);
      if (!first) {
        problems.push(`${room}/${bot.name}: no state after the restart`);
        continue;
      }
      const index = sequence.indexOf(first.key);
      // Not in the sequence: a state after the last one delivered (written, not yet sent).
      if (index !== -1 && index < Math.max(lastDelivered, lastAcked)) {
        problems.push(`${room}/${bot.name}: first state after the restart is #${index}, but #${Math.max(lastDelivered, lastAcked)} was delivered before it`);
      }
    }
  }
  return problems;
}
