// Deterministic dice sources for tests and replays. Production rolls with crypto in the room;
// the engine itself never draws randomness, it only calls the DiceSource it is given.
import type { DiceSource, Face } from "./types.ts";

/** mulberry32: a tiny, well-distributed 32-bit PRNG; same seed, same dice, on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A reproducible dice source: `seededDice(42)` rolls the same sequence every run. */
export function seededDice(seed: number): DiceSource {
  const next = mulberry32(seed);
  return (count) => Array.from({ length: count }, () => (Math.floor(next() * 6) + 1) as Face);
}

/**
 * A dice source that hands out the given faces in order (one call takes `count` of them), for
 * tests that need exact hands. Throws when the script runs out: a test bug, not a game move.
 */
export function scriptedDice(faces: readonly Face[]): DiceSource {
  let position = 0;
  return (count) => {
    if (position + count > faces.length) {
      throw new Error(`scriptedDice: asked for ${count} dice, only ${faces.length - position} left`);
    }
    const hand = faces.slice(position, position + count);
    position += count;
    return hand;
  };
}
