// Section 5, wake-up and cold start: how long a player waits for the room itself, against the
// echo room doing the same on the same runtime.
// - Cold start of a new room: `new WebSocket` to a room that never existed -> the answer to the
//   first message sent on open (perudo: `join` -> the `state` that follows it, which includes
//   the room's first storage write; echo: one message -> its echo).
// - Wake-up after a restart (what every deploy does to every room): the rooms above exist with
//   stored state, `wrangler dev` is stopped and started again on the same storage, and each room
//   is reconnected: `new WebSocket` -> the answer to the first message (perudo: `rejoin` with the
//   seat token -> the seated `state`, after the room reloaded its document; echo: the echo).
// Rooms are woken one after another, so each measures one Durable Object starting, not a queue.
import { rmSync } from "node:fs";
import WebSocket from "ws";
import { median, round } from "../lib/stats.ts";
import { newStateDir, startWorker, type StartedWorker } from "../lib/servers.ts";

export interface WakeFigures {
  /** Per room, ms. */
  coldStartMs: number[];
  wakeUpMs: number[];
  medianColdStartMs: number;
  medianWakeUpMs: number;
}

export interface WakeSection {
  rooms: number;
  perudo: WakeFigures;
  baseline: WakeFigures;
  coldStartRatio: number;
  wakeUpRatio: number;
}

const ANSWER_TIMEOUT_MS = 15_000;

export async function measureWake(options: { rooms: number }): Promise<WakeSection> {
  const perudo = await measureTarget("perudo", options.rooms);
  const baseline = await measureTarget("baseline", options.rooms);
  return {
    rooms: options.rooms,
    perudo,
    baseline,
    coldStartRatio: round(perudo.medianColdStartMs / baseline.medianColdStartMs, 2),
    wakeUpRatio: round(perudo.medianWakeUpMs / baseline.medianWakeUpMs, 2),
  };
}

async function measureTarget(target: "perudo" | "baseline", rooms: number): Promise<WakeFigures> {
  const state = newStateDir(target);
  const names = Array.from({ length: rooms }, (_, i) => `wake-${target}-${i}`);
  const seatTokens = new Map<string, string>();
  let worker: StartedWorker | undefined;
  try {
    worker = await startWorker(target, {}, state);
    const coldStartMs: number[] = [];
    for (const room of names) {
      const first = target === "perudo" ? { type: "join", name: "Wake" } : "wake";
      const { ms, frames } = await firstAnswer(worker, room, first, target === "perudo" ? "state" : "wake");
      coldStartMs.push(ms);
      if (target === "perudo") {
        const joined = frames.find((frame) => frame.type === "joined");
        if (typeof joined?.seatToken !== "string") throw new Error(`room ${room}: no seat token after join`);
        seatTokens.set(room, joined.seatToken);
      }
    }
    await worker.stop();
    worker = await startWorker(target, {}, state);
    const wakeUpMs: number[] = [];
    for (const room of names) {
      const first = target === "perudo" ? { type: "rejoin", seatToken: seatTokens.get(room)! } : "wake";
      // A room that lost its stored game would answer UNKNOWN_SEAT, which fails the run.
      const { ms } = await firstAnswer(worker, room, first, target === "perudo" ? "state" : "wake");
      wakeUpMs.push(ms);
    }
    return {
      coldStartMs: coldStartMs.map((ms) => round(ms, 1)),
      wakeUpMs: wakeUpMs.map((ms) => round(ms, 1)),
      medianColdStartMs: round(median(coldStartMs), 1),
      medianWakeUpMs: round(median(wakeUpMs), 1),
    };
  } finally {
    await worker?.stop();
    rmSync(state, { recursive: true, force: true });
  }
}

interface Frame {
  type?: string;
  seatToken?: unknown;
  state?: { you?: unknown };
}

/**
 * Opens a socket to the room, sends `first` as soon as it is open, and resolves at the frame
 * answering it: for perudo the seated `state`, for echo the echo itself.
 */
function firstAnswer(
  worker: StartedWorker,
  room: string,
  first: unknown,
  answer: "state" | "wake",
): Promise<{ ms: number; frames: Frame[] }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const frames: Frame[] = [];
    const socket = new WebSocket(`ws://127.0.0.1:${worker.server.port}/parties/main/${room}`, { perMessageDeflate: false });
    const timer = setTimeout(() => finish(new Error(`room ${room}: no answer within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on("error", () => {});
      socket.close();
      if (error) reject(error);
      else resolve({ ms: performance.now() - started, frames });
    };
    socket.once("open", () => {
      socket.send(typeof first === "string" ? first : JSON.stringify(first));
    });
    socket.on("message", (data) => {
      const text = String(data);
      if (answer === "wake") {
        if (text === "wake") finish(null);
        return;
      }
      const frame = JSON.parse(text) as Frame;
      frames.push(frame);
      if (frame.type === "error") finish(new Error(`room ${room}: ${text}`));
      // The seated `state` (after `joined`, or with `you` after a rejoin); a connection's first
      // frames (`welcome` and a spectator `state`) can arrive after open and do not count.
      else if (frame.type === "state" && (frames.some((f) => f.type === "joined") || (frame.state?.you ?? null) !== null)) finish(null);
    });
    socket.once("error", (error) => finish(error));
    socket.once("close", () => finish(new Error(`room ${room}: closed before answering`)));
  });
}
