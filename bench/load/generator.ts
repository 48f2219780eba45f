// The load generator: a child process (forked by bench/sections/room-load.ts) that opens
// R rooms x N WebSocket clients on 127.0.0.1, drives them at a fixed message rate, and reports
// latency, throughput and lost messages. One file so the parent measures its CPU separately.
//
// Both targets get the same schedule: every room ticks N x rate times per second.
// - baseline (echo room): on each tick the next client (round robin) sends a numbered message;
//   latency = send -> the sender's own copy of the echo; every client must get every copy.
// - perudo: on each tick the bot whose turn it is plays (bid, dudo or calza; the host restarts a
//   finished game); latency = send -> the sender's next `state` (or `error`); every accepted
//   action must reach every connection as one `state`. A tick finds nothing to do while the
//   previous action is unanswered (closed loop), which shows up as lower throughput.
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import type { ServerMessage, StateView } from "../../party/protocol.ts";
import { mulberry32 } from "../../party/engine/dice.ts";
import { summarize } from "../lib/stats.ts";
import { decide } from "./strategy.ts";
import { simulatedClientIp } from "./client-ip.ts";
import type { ChildMessage, LoadConfig, LoadResult, ParentMessage } from "./types.ts";

type Phase = "setup" | "warmup" | "window" | "drain";

interface Run {
  config: LoadConfig;
  phase: Phase;
  windowStart: number;
  windowEnd: number;
  samples: number[];
  sentInWindow: number;
  answeredInWindow: number;
  refusedInWindow: number;
  refusedCodes: Record<string, number>;
  skippedTicks: number;
  gamesFinished: number;
  connectErrors: number;
  unexpectedCloses: number;
  /** Answers that came after the answer timeout (the bot had moved on): slow, not lost. */
  lateAnswers: number;
  random: () => number;
}

function inWindow(run: Run, at: number): boolean {
  return run.phase === "window" && at >= run.windowStart;
}

// ------------------------------------------------------------------------------ connections

class Limiter {
  #active = 0;
  readonly #queue: (() => void)[] = [];
  readonly #limit: number;
  constructor(limit: number) {
    this.#limit = limit;
  }
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#queue.shift()?.();
    }
  }
}

/**
 * Opens a socket with its message handler attached at once: the room's first frames can arrive
 * in the same TCP read as the handshake, before a promise continuation could attach one.
 */
function open(url: string, timeoutMs: number, onMessage: (text: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      handshakeTimeout: timeoutMs,
      headers: { "CF-Connecting-IP": simulatedClientIp() },
    });
    socket.on("message", (data) => onMessage(decode(data)));
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

async function openWithRetry(
  run: Run,
  limiter: Limiter,
  url: string,
  onMessage: (text: string) => void,
): Promise<WebSocket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await limiter.run(() => open(url, 15_000, onMessage));
    } catch (error) {
      run.connectErrors++;
      if (attempt >= 3) throw error;
      await sleep(200 * attempt);
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function decode(data: WebSocket.RawData): string {
  return Array.isArray(data) ? Buffer.concat(data).toString() : Buffer.from(data as ArrayBuffer).toString();
}

// ------------------------------------------------------------------------------ rooms

interface Room {
  setup(): Promise<void>;
  tick(): void;
  /** Actions sent but not answered yet (including expired ones still owed an answer). */
  pending(): number;
  /** Broadcast deliveries that should have arrived by now but did not. */
  missingDeliveries(): number;
  /** Stops waiting for answers sent before `at` (the bot moves on); they stay owed. */
  expireOlderThan(at: number): void;
  close(): void;
}

class EchoRoom implements Room {
  readonly #sockets: WebSocket[] = [];
  readonly #received: number[] = [];
  /** seq -> [sentAt, inWindow] for the sender's own copy. */
  readonly #outstanding = new Map<number, [number, boolean]>();
  #sent = 0;
  #next = 0;
  #closing = false;

  private readonly run: Run;
  private readonly url: string;
  private readonly limiter: Limiter;

  constructor(run: Run, url: string, limiter: Limiter) {
    this.run = run;
    this.url = url;
    this.limiter = limiter;
  }

  async setup(): Promise<void> {
    const { clientsPerRoom } = this.run.config;
    for (let index = 0; index < clientsPerRoom; index++) {
      this.#received.push(0);
      const socket = await openWithRetry(this.run, this.limiter, this.url, (text) => this.#onMessage(index, text));
      socket.on("close", () => {
        if (!this.#closing) this.run.unexpectedCloses++;
      });
      this.#sockets.push(socket);
    }
  }

  #onMessage(index: number, text: string): void {
    const now = performance.now();
    const message = JSON.parse(text) as { c?: number; s?: number };
    if (typeof message.c !== "number" || typeof message.s !== "number") return; // not an echo
    this.#received[index]!++;
    if (message.c !== index) return;
    const sent = this.#outstanding.get(message.s);
    if (!sent) return;
    this.#outstanding.delete(message.s);
    if (sent[1]) {
      this.run.samples.push(now - sent[0]);
      this.run.answeredInWindow++;
    }
  }

  tick(): void {
    const index = this.#next++ % this.#sockets.length;
    const socket = this.#sockets[index]!;
    const seq = this.#sent++;
    const now = performance.now();
    const counted = inWindow(this.run, now);
    if (counted) this.run.sentInWindow++;
    this.#outstanding.set(seq, [now, counted]);
    socket.send(`{"type":"echo","c":${index},"s":${seq}}`);
  }

  pending(): number {
    return this.#outstanding.size;
  }

  missingDeliveries(): number {
    return this.#received.reduce((missing, count) => missing + Math.max(0, this.#sent - count), 0);
  }

  expireOlderThan(): void {
    // Echo clients never wait for their echo before sending again: nothing to expire.
  }

  close(): void {
    this.#closing = true;
    for (const socket of this.#sockets) socket.terminate();
  }
}

interface Bot {
  index: number;
  socket: WebSocket;
  view: StateView | null;
  statesAfterBarrier: number;
  pending: { sentAt: number; counted: boolean; type: string } | null;
  /** Actions given up on after the answer timeout; a later answer pays one back (late, not lost). */
  expired: number;
  waiter: ((message: ServerMessage) => void) | null;
}

class PerudoRoom implements Room {
  readonly #bots: Bot[] = [];
  #barrier = false;
  #acceptedAfterBarrier = 0;
  #closing = false;
  #lastPhase: string | null = null;

  private readonly run: Run;
  private readonly url: string;
  private readonly limiter: Limiter;

  constructor(run: Run, url: string, limiter: Limiter) {
    this.run = run;
    this.url = url;
    this.limiter = limiter;
  }

  async setup(): Promise<void> {
    const { clientsPerRoom } = this.run.config;
    for (let index = 0; index < clientsPerRoom; index++) {
      const bot: Bot = { index, socket: null!, view: null, statesAfterBarrier: 0, pending: null, expired: 0, waiter: null };
      const firstState = new Promise<void>((resolve) => (bot.waiter = (m) => m.type === "state" && resolve()));
      bot.socket = await openWithRetry(this.run, this.limiter, this.url, (text) =>
        this.#onMessage(bot, JSON.parse(text) as ServerMessage),
      );
      bot.socket.on("close", () => {
        if (!this.#closing) this.run.unexpectedCloses++;
      });
      this.#bots.push(bot);
      await firstState;
      bot.waiter = null;
    }
    this.#barrier = true;
    // Seats in order, so bot 0 is the host; then the host starts the game.
    for (const bot of this.#bots) await this.#act(bot, { type: "join", name: `bot${bot.index}` });
    await this.#act(this.#bots[0]!, { type: "start" });
  }

  /** Sends one action and resolves when its answer arrives (setup only; ticks don't wait). */
  #act(bot: Bot, message: { type: string; [key: string]: unknown }): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${message.type} in room ${this.url}`)), 20_000);
      bot.waiter = (answer) => {
        if (answer.type !== "state" && answer.type !== "error") return;
        clearTimeout(timer);
        bot.waiter = null;
        if (answer.type === "error") reject(new Error(`${message.type} refused: ${answer.code} ${answer.message}`));
        else resolve();
      };
      this.#send(bot, message);
    });
  }

  #send(bot: Bot, message: { type: string }): void {
    const now = performance.now();
    const counted = inWindow(this.run, now);
    if (counted) this.run.sentInWindow++;
    bot.pending = { sentAt: now, counted, type: message.type };
    bot.socket.send(JSON.stringify(message));
  }

  #onMessage(bot: Bot, message: ServerMessage): void {
    const now = performance.now();
    if (message.type === "state") {
      bot.view = message.state;
      if (this.#barrier) bot.statesAfterBarrier++;
      if (bot.index === 0) {
        if (message.state.phase === "finished" && this.#lastPhase !== "finished") this.run.gamesFinished++;
        this.#lastPhase = message.state.phase;
      }
    }
    if (!bot.pending && bot.expired > 0 && (message.type === "state" || message.type === "error")) {
      bot.expired--;
      this.run.lateAnswers++;
      if (message.type === "state") this.#acceptedAfterBarrier++;
    } else if (bot.pending && (message.type === "state" || message.type === "error")) {
      const { sentAt, counted } = bot.pending;
      bot.pending = null;
      if (message.type === "state") this.#acceptedAfterBarrier++;
      if (counted) {
        this.run.samples.push(now - sentAt);
        this.run.answeredInWindow++;
        if (message.type === "error") {
          this.run.refusedInWindow++;
          this.run.refusedCodes[message.code] = (this.run.refusedCodes[message.code] ?? 0) + 1;
        }
      }
    }
    bot.waiter?.(message);
  }

  tick(): void {
    if (this.#bots.some((bot) => bot.pending !== null)) {
      this.run.skippedTicks++;
      return;
    }
    const host = this.#bots[0]!;
    if (host.view?.phase === "finished") return this.#send(host, { type: "start" });
    const turn = host.view?.turn;
    const actor = this.#bots.find((bot) => bot.view?.you?.id === turn);
    const action = actor?.view ? decide(actor.view, this.run.random) : null;
    if (!actor || !action) {
      this.run.skippedTicks++;
      return;
    }
    this.#send(actor, action);
  }

  pending(): number {
    return this.#bots.reduce((owed, bot) => owed + (bot.pending ? 1 : 0) + bot.expired, 0);
  }

  missingDeliveries(): number {
    return this.#bots.reduce((missing, bot) => missing + Math.max(0, this.#acceptedAfterBarrier - bot.statesAfterBarrier), 0);
  }

  expireOlderThan(at: number): void {
    for (const bot of this.#bots) {
      if (bot.pending && bot.pending.sentAt < at) {
        bot.pending = null;
        bot.expired++;
      }
    }
  }

  close(): void {
    this.#closing = true;
    for (const bot of this.#bots) bot.socket.terminate();
  }
}

// ------------------------------------------------------------------------------ the run

export async function runLoad(config: LoadConfig, notify: (message: ChildMessage) => void): Promise<LoadResult> {
  const run: Run = {
    config,
    phase: "setup",
    windowStart: Number.POSITIVE_INFINITY,
    windowEnd: Number.POSITIVE_INFINITY,
    samples: [],
    sentInWindow: 0,
    answeredInWindow: 0,
    refusedInWindow: 0,
    refusedCodes: {},
    skippedTicks: 0,
    gamesFinished: 0,
    connectErrors: 0,
    unexpectedCloses: 0,
    lateAnswers: 0,
    random: mulberry32(config.seed),
  };
  const limiter = new Limiter(config.connectConcurrency);
  const rooms: Room[] = [];
  for (let index = 0; index < config.rooms; index++) {
    const url = `${config.wsBase}/parties/main/${config.roomPrefix}-${index}`;
    rooms.push(config.target === "baseline" ? new EchoRoom(run, url, limiter) : new PerudoRoom(run, url, limiter));
  }
  const setupStart = performance.now();
  const timers: NodeJS.Timeout[] = [];
  let unanswered = 0; // owed answers still missing after the drain
  try {
    await Promise.all(rooms.map((room) => room.setup()));
    const setupSeconds = (performance.now() - setupStart) / 1000;

    // Each room ticks on its own schedule, with a random phase so rooms don't send in lockstep.
    const tickMs = 1000 / (config.clientsPerRoom * config.messagesPerClientPerSecond);
    run.phase = "warmup";
    for (const room of rooms) {
      timers.push(
        setTimeout(() => {
          if (run.phase === "drain") return;
          room.tick();
          timers.push(setInterval(() => run.phase !== "drain" && room.tick(), tickMs));
        }, run.random() * tickMs),
      );
    }
    // Answers that never come would stall a bot forever: expire them (they count as lost).
    const expiry = setInterval(() => {
      const cutoff = performance.now() - config.answerTimeoutMs;
      for (const room of rooms) room.expireOlderThan(cutoff);
    }, 500);
    timers.push(expiry);

    await sleep(config.warmupMs);
    run.phase = "window";
    run.windowStart = performance.now();
    const cpuStart = process.cpuUsage();
    notify({ type: "window-start" });
    await sleep(config.windowMs);
    run.windowEnd = performance.now();
    const cpu = process.cpuUsage(cpuStart);
    notify({ type: "window-end" });
    run.phase = "drain";
    for (const timer of timers) clearTimeout(timer);

    const drainDeadline = performance.now() + config.answerTimeoutMs;
    while (rooms.some((room) => room.pending() > 0) && performance.now() < drainDeadline) await sleep(50);
    await sleep(300); // the last broadcasts to the other connections
    for (const room of rooms) unanswered += room.pending();
    const deliveries = rooms.reduce((missing, room) => missing + room.missingDeliveries(), 0);

    const windowSeconds = (run.windowEnd - run.windowStart) / 1000;
    return {
      target: config.target,
      rooms: config.rooms,
      clients: config.rooms * config.clientsPerRoom,
      windowSeconds,
      latencyMs: summarize(run.samples),
      actionsPerSecond: run.answeredInWindow / windowSeconds,
      offeredPerSecond: config.rooms * config.clientsPerRoom * config.messagesPerClientPerSecond,
      sentInWindow: run.sentInWindow,
      answeredInWindow: run.answeredInWindow,
      refusedInWindow: run.refusedInWindow,
      refusedCodes: run.refusedCodes,
      skippedTicks: run.skippedTicks,
      lost: { unanswered, deliveries, total: unanswered + deliveries },
      gamesFinished: run.gamesFinished,
      setupSeconds,
      generatorCpuSeconds: (cpu.user + cpu.system) / 1e6,
      connectErrors: run.connectErrors,
      unexpectedCloses: run.unexpectedCloses,
      lateAnswers: run.lateAnswers,
    };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    for (const room of rooms) room.close();
  }
}

// Started by the parent with fork(): wait for the config, run, report, exit.
if (process.send) {
  process.once("message", (message: ParentMessage) => {
    const send = (reply: ChildMessage) => process.send!(reply);
    runLoad(message.config, send)
      .then((result) => send({ type: "result", result }))
      .catch((error: unknown) => send({ type: "failed", message: error instanceof Error ? error.message : String(error) }))
      .finally(() => setTimeout(() => process.exit(0), 100));
  });
}
