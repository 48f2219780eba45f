// Section 2, cost per game: real six-player games against the storage-counting build of the room
// (bench/baseline/counted.ts), one action at a time, so every storage call, row, alarm and
// WebSocket frame is attributed to the action that caused it. Also: a battery of refused
// actions, and a reconnect storm (every client drops and rejoins with its seat token).
import { mulberry32 } from "../../party/engine/dice.ts";
import type { ServerMessage } from "../../party/protocol.ts";
import { sampleTree } from "../lib/proc-tree.ts";
import { round } from "../lib/stats.ts";
import { startWorker } from "../lib/servers.ts";
import { decide } from "../load/strategy.ts";
import { SeatClient } from "../load/seat-client.ts";
import { PRICES } from "../pricing.ts";
import type { StorageCounters } from "../lib/storage-counters.ts";

type Counters = StorageCounters;

type Numeric = Omit<Counters, "storedBytes" | "calls">;
const NUMERIC_KEYS = ["writeOps", "rowsWritten", "readOps", "rowsRead", "alarmsSet", "alarmsDeleted", "alarmsFired"] as const;

export interface ActionCost extends Numeric {
  label: string;
  type: string;
  outcome: "accepted" | "refused";
  code?: string;
  wsIn: number;
  wsOut: number;
}

export interface PhaseCost extends Numeric {
  wsIn: number;
  wsOut: number;
}

export interface CostSection {
  games: number;
  /** False with --quick: games were cut short, so the per-game figures are partial. */
  completeGames: boolean;
  /** Per game averages (connections, joins, start and play; not the refused battery or storm). */
  perGame: PhaseCost & { acceptedActions: number; refusedActions: number; connections: number; storedBytes: number };
  /** Storage when the first client connects to a new room (PartyServer + room load). */
  firstConnect: PhaseCost;
  accepted: { count: number; writeOps: Distribution; rowsWritten: Distribution; alarmsSet: number; wsOutPerAction: number };
  refused: { count: number; writeOps: Distribution; rowsWritten: Distribution; codes: Record<string, number> };
  reconnectStorm: PhaseCost & { clients: number };
  /** Storage activity in the first game that no action's or the storm's window caught (should be all 0). */
  unattributedInFirstGame: Numeric;
  refusedWhilePlaying: Record<string, number>;
  /** Every action of the first game, for anyone who wants to look. */
  actions: ActionCost[];
  serverCpuSecondsPerAction: number;
  dollars: CostEstimate;
}

export interface Distribution {
  min: number;
  max: number;
  mean: number;
  total: number;
}

export interface CostEstimate {
  per1000Games: number;
  breakdown: Record<string, { units: number; dollars: number; note: string }>;
  prices: typeof PRICES;
  assumptions: string[];
}

const PLAYERS = 6;
const SETTLE_MS = 15;

export async function measureCost(options: {
  games: number;
  seed: number;
  /** Stop each game after this many plays (--quick); the per-game figures are then partial. */
  maxPlayActions?: number;
}): Promise<CostSection> {
  const maxPlays = options.maxPlayActions ?? Number.POSITIVE_INFINITY;
  const worker = await startWorker("counted");
  const base = worker.server.url;
  const wsBase = base.replace(/^http/, "ws");
  const random = mulberry32(options.seed);
  const readCounters = async (room: string): Promise<Counters> => {
    const response = await fetch(`${base}/__bench/counters`);
    const body = (await response.json()) as { rooms: Record<string, Counters> };
    return body.rooms[room] ?? emptyCounters();
  };

  try {
    const firstGame: ActionCost[] = [];
    const allActions: ActionCost[] = [];
    const gameTotals: (PhaseCost & { acceptedActions: number; refusedActions: number; storedBytes: number })[] = [];
    let firstConnect: PhaseCost | null = null;
    let storm: PhaseCost | null = null;
    let unattributed: Numeric = zero();
    /** Refusals the bots ran into while playing (not the deliberate battery): should be none. */
    const refusedInGames: Record<string, number> = {};
    const cpuStart = sampleTree(worker.server.child.pid!).cpuSeconds;
    let messagesHandled = 0;

    for (let game = 0; game < options.games; game++) {
      const room = `cost-${options.seed}-${game}`;
      const players = Array.from({ length: PLAYERS }, (_, i) => new SeatClient(`bot${i}`, `${wsBase}/parties/main/${room}`));
      const totals = { ...zero(), wsIn: 0, wsOut: 0, acceptedActions: 0, refusedActions: 0, storedBytes: 0 };
      const add = (cost: PhaseCost) => {
        for (const key of NUMERIC_KEYS) totals[key] += cost[key];
        totals.wsIn += cost.wsIn;
        totals.wsOut += cost.wsOut;
      };

      // Connecting: the first socket creates the room (its storage reads and the cleanup alarm).
      const connectCost = await measurePhase(readCounters, room, players, async () => {
        for (const player of players) await player.connect();
      });
      add(connectCost);
      if (game === 0) firstConnect = connectCost;

      // The first game attributes storage to each action; later games only to the whole game.
      const detailed = game === 0;
      const gameStart = await readCounters(room);
      const act = async (label: string, actor: SeatClient, message: unknown, record = true) => {
        const cost = await measureAction(detailed ? readCounters : null, room, players, label, actor, message);
        messagesHandled++;
        if (detailed) {
          allActions.push(cost);
          firstGame.push(cost);
        }
        if (record) {
          add(cost);
          if (cost.outcome === "accepted") totals.acceptedActions++;
          else {
            totals.refusedActions++;
            refusedInGames[cost.code ?? "?"] = (refusedInGames[cost.code ?? "?"] ?? 0) + 1;
          }
        }
        return cost;
      };

      for (const player of players) await act("join", player, { type: "join", name: player.name });
      const [host, second, third, fourth] = players as [SeatClient, SeatClient, SeatClient, SeatClient];
      if (game === 0) {
        // Refused actions in the lobby: none of these may touch storage.
        await act("start by a non-host", second, { type: "start" }, false);
        await act("bid in the lobby", third, { type: "bid", quantity: 2, face: 3 }, false);
        await act("join twice", fourth, { type: "join", name: "again" }, false);
        await act("unknown message", host, { type: "nope" }, false);
      }
      await act("start", host, { type: "start" });

      let played = 0;
      while (host.view?.phase === "playing" && played < maxPlays) {
        const turn = host.view.turn;
        const actor = players.find((p) => p.playerId === turn);
        if (!actor?.view) throw new Error(`no bot holds the turn (${turn})`);
        if (game === 0 && played === 0) {
          // Refused actions in a running game.
          const other = players.find((p) => p !== actor)!;
          await act("bid out of turn", other, { type: "bid", quantity: 1, face: 2 }, false);
          await act("dudo before any bid", actor, { type: "dudo" }, false);
          if (!actor.view.palifico) await act("opening on aces", actor, { type: "bid", quantity: 1, face: 1 }, false);
        }
        if (game === 0 && played === 1 && actor.view.currentBid) {
          const { quantity, face } = actor.view.currentBid;
          await act("bid lower than the standing bid", actor, { type: "bid", quantity: Math.max(1, quantity - 1), face }, false);
        }
        if (game === 0 && played === 20) {
          storm = await measurePhase(readCounters, room, players, async () => {
            await Promise.all(players.map((p) => p.close()));
            for (const player of players) {
              await player.connect();
              const from = player.frames.length;
              player.send({ type: "rejoin", seatToken: player.seatToken });
              await player.waitFor(
                () => player.frames.slice(from).some((m) => m.type === "state" || m.type === "error"),
                10_000,
                "rejoin answer",
              );
            }
          });
          messagesHandled += PLAYERS;
        }
        const action = decide(actor.view, random);
        if (!action) throw new Error("the bot on turn had nothing to do");
        await act(action.type, actor, action);
        played++;
        if (played > 5_000) throw new Error("game did not finish");
      }
      await sleep(SETTLE_MS);
      const stored = await readCounters(room);
      const wholeGame = diff(gameStart, stored);
      if (detailed) {
        // Whatever the per-action windows missed (e.g. a write landing late) shows up here.
        const seen = zero();
        for (const cost of [...firstGame, ...(storm ? [storm] : [])]) for (const key of NUMERIC_KEYS) seen[key] += cost[key];
        unattributed = diff({ ...emptyCounters(), ...seen }, { ...emptyCounters(), ...wholeGame });
      } else {
        for (const key of NUMERIC_KEYS) totals[key] += wholeGame[key];
      }
      totals.storedBytes = Object.values(stored.storedBytes).reduce((sum, bytes) => sum + bytes, 0);
      gameTotals.push(totals);
      await Promise.all(players.map((p) => p.close()));
    }

    const serverCpuSeconds = sampleTree(worker.server.child.pid!).cpuSeconds - cpuStart;
    const accepted = allActions.filter((a) => a.outcome === "accepted");
    const refused = allActions.filter((a) => a.outcome === "refused");
    const perGame = averageTotals(gameTotals);
    const serverCpuSecondsPerAction = serverCpuSeconds / Math.max(1, messagesHandled);
    return {
      games: options.games,
      completeGames: Number.isFinite(maxPlays) ? false : true,
      perGame: { ...perGame, connections: PLAYERS },
      firstConnect: firstConnect!,
      accepted: {
        count: accepted.length,
        writeOps: distribution(accepted.map((a) => a.writeOps)),
        rowsWritten: distribution(accepted.map((a) => a.rowsWritten)),
        alarmsSet: accepted.reduce((sum, a) => sum + a.alarmsSet, 0),
        wsOutPerAction: round(accepted.reduce((sum, a) => sum + a.wsOut, 0) / Math.max(1, accepted.length), 2),
      },
      refused: {
        count: refused.length,
        writeOps: distribution(refused.map((a) => a.writeOps)),
        rowsWritten: distribution(refused.map((a) => a.rowsWritten)),
        codes: refused.reduce<Record<string, number>>((codes, a) => {
          codes[a.code ?? "?"] = (codes[a.code ?? "?"] ?? 0) + 1;
          return codes;
        }, {}),
      },
      reconnectStorm: { ...storm!, clients: PLAYERS },
      unattributedInFirstGame: unattributed,
      refusedWhilePlaying: refusedInGames,
      actions: firstGame,
      serverCpuSecondsPerAction: round(serverCpuSecondsPerAction, 6),
      dollars: estimate(
        perGame,
        serverCpuSecondsPerAction,
        "whole wrangler dev tree CPU during the cost games, per message (includes the counter reads)",
      ),
    };
  } finally {
    await worker.stop();
  }
}

async function measurePhase(
  readCounters: (room: string) => Promise<Counters>,
  room: string,
  players: SeatClient[],
  phase: () => Promise<void>,
): Promise<PhaseCost> {
  const before = await readCounters(room);
  const framesBefore = players.map((p) => p.frames.length);
  const sentBefore = sentBy(players);
  await phase();
  await sleep(SETTLE_MS * 4);
  const after = await readCounters(room);
  return {
    ...diff(before, after),
    wsIn: sentBy(players) - sentBefore,
    wsOut: players.reduce((sum, p, i) => sum + p.frames.length - framesBefore[i]!, 0),
  };
}

function sentBy(players: SeatClient[]): number {
  return players.reduce((sum, p) => sum + p.sent, 0);
}

/**
 * Sends one message and waits for its answer (and, when accepted, every player's state).
 * `readCounters` null: no storage attribution (the action counts only towards its game's total).
 */
async function measureAction(
  readCounters: ((room: string) => Promise<Counters>) | null,
  room: string,
  players: SeatClient[],
  label: string,
  actor: SeatClient,
  message: unknown,
): Promise<ActionCost> {
  const before = readCounters ? await readCounters(room) : emptyCounters();
  const framesBefore = players.map((p) => p.frames.length);
  const since = (p: SeatClient, i: number): ServerMessage[] => p.frames.slice(framesBefore[i]);
  const actorIndex = players.indexOf(actor);
  await actor.paced();
  actor.send(message);
  const answer = (): ServerMessage | undefined => since(actor, actorIndex).find((m) => m.type === "state" || m.type === "error");
  await actor.waitFor(() => answer() !== undefined, 10_000, `answer to ${label}`);
  const reply = answer()!;
  if (reply.type === "state") {
    // Accepted: every connected player gets its state.
    await actor.waitFor(
      () => players.every((p, i) => !p.open || since(p, i).some((m) => m.type === "state")),
      10_000,
      `everyone's state after ${label}`,
    );
  }
  let after = before;
  if (readCounters) {
    await sleep(SETTLE_MS);
    after = await readCounters(room);
  }
  const type = typeof message === "object" && message !== null ? String((message as { type?: unknown }).type) : "?";
  return {
    label,
    type,
    outcome: reply.type === "state" ? "accepted" : "refused",
    ...(reply.type === "error" ? { code: reply.code } : {}),
    ...diff(before, after),
    wsIn: 1,
    wsOut: players.reduce((sum, p, i) => sum + since(p, i).length, 0),
  };
}

/**
 * Dollars for 1,000 games at the published prices. `cpuSecondsPerMessage` stands in for the
 * time a handler keeps the object awake; `cpuSource` says where it was measured.
 */
export function estimate(perGame: PhaseCost, cpuSecondsPerMessage: number, cpuSource: string): CostEstimate {
  const games = 1000;
  const { workers, durableObjects: d } = PRICES;
  const upgrades = PLAYERS * games;
  const incoming = perGame.wsIn * games;
  const doRequests = upgrades + incoming / d.incomingWebSocketMessagesPerRequest + perGame.alarmsFired * games;
  // Hibernation: the object is billed only while a handler runs. The whole server tree's CPU
  // per handled message stands in for that wall time (an upper bound: it includes wrangler).
  const activeSeconds = (perGame.wsIn + PLAYERS) * cpuSecondsPerMessage * games;
  const gbSeconds = activeSeconds * d.memoryGb;
  const workerCpuMs = upgrades * 1;
  const breakdown: CostEstimate["breakdown"] = {
    workerRequests: {
      units: upgrades,
      dollars: (upgrades / 1e6) * workers.requestsPerMillion,
      note: "one Worker request per WebSocket upgrade (6 per game)",
    },
    workerCpu: {
      units: workerCpuMs,
      dollars: (workerCpuMs / 1e6) * workers.cpuMsPerMillion,
      note: "assumed 1 CPU ms per upgrade (the Worker only routes it); not measured separately",
    },
    durableObjectRequests: {
      units: round(doRequests, 1),
      dollars: (doRequests / 1e6) * d.requestsPerMillion,
      note: "upgrades + incoming messages / 20 + alarm invocations",
    },
    durableObjectDuration: {
      units: round(gbSeconds, 3),
      dollars: (gbSeconds / 1e6) * d.gbSecondsPerMillion,
      note: `GB-s while handlers run (hibernation between messages), 128 MB; handler time = ${round(cpuSecondsPerMessage * 1000, 3)} ms per message: ${cpuSource}`,
    },
    rowsWritten: {
      units: perGame.rowsWritten * games,
      dollars: ((perGame.rowsWritten * games) / 1e6) * d.rowsWrittenPerMillion,
      note: "KV puts and deletes (1 row per key) and setAlarm (1 row each)",
    },
    rowsRead: {
      units: perGame.rowsRead * games,
      dollars: ((perGame.rowsRead * games) / 1e6) * d.rowsReadPerMillion,
      note: "KV gets (1 row per key)",
    },
  };
  for (const item of Object.values(breakdown)) item.dollars = round(item.dollars, 6);
  return {
    per1000Games: round(
      Object.values(breakdown).reduce((sum, item) => sum + item.dollars, 0),
      6,
    ),
    breakdown,
    prices: PRICES,
    assumptions: [
      "Marginal prices: the monthly included usage and the $5 Workers Paid minimum are not subtracted or added.",
      "Stored data is left out: one room document of a few KB, deleted 24 h after the game ends, is far below a cent per 1,000 games.",
      "Alarm invocations are those seen in the bench, where games take seconds; human games of many minutes wake the room about once per turn length (60 s) per game minute.",
    ],
  };
}

// ------------------------------------------------------------------------------ helpers

function emptyCounters(): Counters {
  return { ...zero(), storedBytes: {}, calls: {} };
}

function zero(): Numeric {
  return { writeOps: 0, rowsWritten: 0, readOps: 0, rowsRead: 0, alarmsSet: 0, alarmsDeleted: 0, alarmsFired: 0 };
}

function diff(before: Counters, after: Counters): Numeric {
  const result = zero();
  for (const key of NUMERIC_KEYS) result[key] = after[key] - before[key];
  return result;
}

function distribution(values: number[]): Distribution {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, total: 0 };
  const total = values.reduce((sum, v) => sum + v, 0);
  return { min: Math.min(...values), max: Math.max(...values), mean: round(total / values.length), total };
}

function averageTotals<T extends object>(totals: T[]): T {
  const rows = totals as unknown as Record<string, number>[];
  const result: Record<string, number> = {};
  for (const key of Object.keys(rows[0]!)) {
    result[key] = round(rows.reduce((sum, t) => sum + t[key]!, 0) / rows.length, 2);
  }
  return result as unknown as T;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
