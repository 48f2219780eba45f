// Bid legality and counting: Perudo's rules as pure functions of plain values.
import type { Bid, Face } from "./types.ts";

export const ACE: Face = 1;

export function isFace(value: unknown): value is Face {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 6;
}

/** A bid's own shape: a whole quantity of at least 1 (no upper bound: overbidding just loses). */
export function isQuantity(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1;
}

export function faceName(face: Face, quantity = 2): string {
  if (face === ACE) return quantity === 1 ? "ace" : "aces";
  return String(face);
}

/** "4 x 5", "3 x aces": how bids read in messages. */
export function formatBid(quantity: number, face: Face): string {
  return `${quantity} x ${faceName(face, quantity)}`;
}

export interface RaiseContext {
  palifico: boolean;
  /** The bidder's own dice count: with exactly one die a palifico bidder may change the face. */
  bidderDice: number;
}

/**
 * Why a bid of `quantity x face` may not follow `current`, or null when it is legal.
 * The reason is human text, safe to show to the bidder.
 */
export function raiseError(
  current: Pick<Bid, "quantity" | "face"> | null,
  quantity: number,
  face: Face,
  context: RaiseContext,
): string | null {
  if (context.palifico) return palificoRaiseError(current, quantity, face, context.bidderDice);
  if (current === null) {
    return face === ACE ? "The opening bid can't be aces (except in a palifico round)" : null;
  }
  // Messages are built only on refusal: random-game tests call this a great many times.
  const { quantity: q, face: f } = current;
  if (f !== ACE && face !== ACE) {
    if (quantity > q || (quantity === q && face > f)) return null;
    return `Raise the bid: ${formatBid(q, f)} needs a higher quantity, or the same quantity of a higher face (${formatBid(quantity, face)} is not higher)`;
  }
  if (f !== ACE) {
    const least = Math.ceil(q / 2);
    if (quantity >= least) return null;
    return `Switching to aces after ${formatBid(q, f)} needs at least ${formatBid(least, ACE)}`;
  }
  if (face === ACE) {
    if (quantity > q) return null;
    return `Raise the bid: ${formatBid(q, f)} needs at least ${formatBid(q + 1, ACE)}`;
  }
  const least = 2 * q + 1;
  if (quantity >= least) return null;
  return `Leaving aces after ${formatBid(q, f)} needs at least ${least} of a face`;
}

function palificoRaiseError(
  current: Pick<Bid, "quantity" | "face"> | null,
  quantity: number,
  face: Face,
  bidderDice: number,
): string | null {
  // The palifico opener may bid any face, aces included.
  if (current === null) return null;
  if (quantity <= current.quantity) {
    return `Palifico round: raise the quantity above ${formatBid(current.quantity, current.face)} (${formatBid(quantity, face)} is not higher)`;
  }
  if (face !== current.face && bidderDice !== 1) {
    return `Palifico round: keep the face of ${formatBid(current.quantity, current.face)}; only a player with one die may change it`;
  }
  return null;
}

/** How many dice show `face`; aces count as any face, except in palifico rounds and for aces. */
export function countFace(hands: readonly (readonly Face[])[], face: Face, palifico: boolean): number {
  const wild = face !== ACE && !palifico;
  let count = 0;
  for (const hand of hands) {
    for (const die of hand) {
      if (die === face || (wild && die === ACE)) count++;
    }
  }
  return count;
}

/** The bid the engine makes for a player whose turn timer expired: always legal. */
export function timeoutBid(current: Pick<Bid, "quantity" | "face"> | null): { quantity: number; face: Face } {
  return current === null ? { quantity: 1, face: 2 } : { quantity: current.quantity + 1, face: current.face };
}
