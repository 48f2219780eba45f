// Bid legality and counting: Perudo's rules as pure functions of plain values.
import type { Bid, Face } from "./types";

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
  const next = formatBid(quantity, face);
  if (context.palifico) return palificoRaiseError(current, quantity, face, context.bidderDice, next);

  if (current === null) {
    return face === ACE ? "The opening bid can't be aces (except in a palifico round)" : null;
  }
  const { quantity: q, face: f } = current;
  const standing = formatBid(q, f);
  if (f !== ACE && face !== ACE) {
    if (quantity > q || (quantity === q && face > f)) return null;
    return `Raise the bid: ${standing} needs a higher quantity, or the same quantity of a higher face (${next} is not higher)`;
  }
  if (f !== ACE && face === ACE) {
    const least = Math.ceil(q / 2);
    return quantity >= least ? null : `Switching to aces after ${standing} needs at least ${formatBid(least, ACE)}`;
  }
  if (f === ACE && face === ACE) {
    return quantity > q ? null : `Raise the bid: ${standing} needs at least ${formatBid(q + 1, ACE)}`;
  }
  const least = 2 * q + 1;
  return quantity >= least ? null : `Leaving aces after ${standing} needs at least ${least} of a face`;
}

function palificoRaiseError(
  current: Pick<Bid, "quantity" | "face"> | null,
  quantity: number,
  face: Face,
  bidderDice: number,
  next: string,
): string | null {
  // The palifico opener may bid any face, aces included.
  if (current === null) return null;
  const standing = formatBid(current.quantity, current.face);
  if (quantity <= current.quantity) {
    return `Palifico round: raise the quantity above ${standing} (${next} is not higher)`;
  }
  if (face !== current.face && bidderDice !== 1) {
    return `Palifico round: keep the face of ${standing}; only a player with one die may change it`;
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
