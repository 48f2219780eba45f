// The contract between the bench (parent) and its load generator (a child process, so its CPU
// is its own and is not mistaken for the server's).

export type LoadTarget = "baseline" | "perudo";

export interface LoadConfig {
  target: LoadTarget;
  /** ws://127.0.0.1:<port> */
  wsBase: string;
  rooms: number;
  clientsPerRoom: number;
  /** Messages each client sends per second (on average across the room for the bots). */
  messagesPerClientPerSecond: number;
  warmupMs: number;
  windowMs: number;
  /** How long a sent action may wait for its answer before it counts as lost. */
  answerTimeoutMs: number;
  /** Room ids are `${roomPrefix}-${index}`. */
  roomPrefix: string;
  /** Handshakes in flight at once while connecting. */
  connectConcurrency: number;
  seed: number;
}

export interface LoadResult {
  target: LoadTarget;
  rooms: number;
  clients: number;
  windowSeconds: number;
  /** Send -> own echo (baseline) or send -> `state`/`error` at the sender (perudo), in ms. */
  latencyMs: { count: number; p50: number; p90: number; p99: number; max: number; mean: number };
  /** Actions (echoes) sent in the window that were answered, per second of window. */
  actionsPerSecond: number;
  /** Offered rate: clients x messages per client per second. */
  offeredPerSecond: number;
  sentInWindow: number;
  answeredInWindow: number;
  /** perudo: actions answered with `error` (refused by the rules or the rate limit). */
  refusedInWindow: number;
  refusedCodes: Record<string, number>;
  /** Ticks skipped because the bot on turn was still waiting for its previous answer. */
  skippedTicks: number;
  lost: {
    /** Actions/echoes never answered to their sender. */
    unanswered: number;
    /** Broadcast deliveries (echo copies, state frames) that never reached a connection. */
    deliveries: number;
    total: number;
  };
  gamesFinished: number;
  setupSeconds: number;
  /** CPU seconds the load generator itself used during the window. */
  generatorCpuSeconds: number;
  connectErrors: number;
  unexpectedCloses: number;
  /** perudo: answers that arrived after the 5 s answer timeout (slow, not lost). */
  lateAnswers: number;
}

export type ParentMessage = { type: "run"; config: LoadConfig };

export type ChildMessage =
  | { type: "window-start" }
  | { type: "window-end" }
  | { type: "result"; result: LoadResult }
  | { type: "failed"; message: string };
