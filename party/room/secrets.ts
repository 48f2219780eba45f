// Randomness the room owns: player ids, seat tokens (and their hashes), and production dice.
import type { DiceSource, Face } from "../engine/types.ts";

/** 256 random bits, base64url: the secret that lets a player reclaim a seat. Never logged. */
export function newSeatToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Public, so it only needs to be unique within a room; 64 bits make collisions negligible. */
export function newPlayerId(): string {
  return `p_${base64url(crypto.getRandomValues(new Uint8Array(8)))}`;
}

/** SHA-256 of a seat token, hex. Stored instead of the token; rejoin compares hashes. */
export async function hashSeatToken(seatToken: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(seatToken));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Fair dice from crypto.getRandomValues. A byte is 0..255 and 256 is not a multiple of 6, so
 * bytes >= 252 are rejected and redrawn; the remaining 252 values map evenly onto six faces.
 */
export const cryptoDice: DiceSource = (count) => {
  const faces: Face[] = [];
  // Two bytes per die leaves room for rejections; getRandomValues takes at most 65 536 bytes.
  const bytes = new Uint8Array(Math.min(Math.max(count, 1) * 2, 4096));
  while (faces.length < count) {
    crypto.getRandomValues(bytes);
    for (const byte of bytes) {
      if (faces.length === count) break;
      if (byte < 252) faces.push(((byte % 6) + 1) as Face);
    }
  }
  return faces;
};

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
