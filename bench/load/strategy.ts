// What a bot does on its turn: a pure function of its own view (and a random source), so it is
// unit-tested against the engine's rules (test/bench/strategy.test.ts) and never sends an
// illegal bid by accident. Good enough to finish real games: it estimates how many dice show a
// face from its own cup plus the odds for the unknown dice, raises where the estimate holds up,
// and calls dudo (or, sometimes, calza) when the standing bid looks too high.
import type { Face } from "../../party/engine/types.ts";
import type { StateView } from "../../party/protocol.ts";

export type BotAction =
  | { type: "bid"; quantity: number; face: Face }
  | { type: "dudo" }
  | { type: "calza" };

const FACES: readonly Face[] = [1, 2, 3, 4, 5, 6];
const ACE: Face = 1;

/** The smallest legal quantity of `face` that may follow `current` (null when no quantity may). */
export function minimumRaise(
  current: { quantity: number; face: Face } | null,
  face: Face,
  context: { palifico: boolean; bidderDice: number },
): number | null {
  if (context.palifico) {
    if (current === null) return 1;
    if (face !== current.face && context.bidderDice !== 1) return null;
    return current.quantity + 1;
  }
  if (current === null) return face === ACE ? null : 1;
  const { quantity: q, face: f } = current;
  if (f !== ACE && face !== ACE) return face > f ? q : q + 1;
  if (f !== ACE && face === ACE) return Math.ceil(q / 2);
  if (f === ACE && face === ACE) return q + 1;
  return 2 * q + 1;
}

/** Expected number of dice showing `face` on the table, given the bot's own dice. */
export function expectedCount(view: StateView, face: Face): number {
  const own = view.you?.dice ?? [];
  const total = view.players.filter((p) => !p.eliminated).reduce((sum, p) => sum + p.diceCount, 0);
  const unknown = Math.max(0, total - own.length);
  const wild = face !== ACE && !view.palifico;
  const mine = own.filter((die) => die === face || (wild && die === ACE)).length;
  return mine + unknown * (wild ? 1 / 3 : 1 / 6);
}

/** The bot's move when it is its turn in a running game; null otherwise. */
export function decide(view: StateView, random: () => number): BotAction | null {
  const me = view.you;
  if (view.phase !== "playing" || me === null || view.turn !== me.id) return null;
  const context = { palifico: view.palifico, bidderDice: me.dice.length };
  const current = view.currentBid;

  if (current !== null) {
    const expected = expectedCount(view, current.face);
    const active = view.players.filter((p) => !p.eliminated).length;
    const calzaAllowed = active > 2 && !view.palifico;
    if (calzaAllowed && Math.abs(expected - current.quantity) < 0.5 && random() < 0.25) return { type: "calza" };
    if (current.quantity > expected + 1) return { type: "dudo" };
  }

  let best: { quantity: number; face: Face; margin: number } | null = null;
  for (const face of FACES) {
    const least = minimumRaise(current, face, context);
    if (least === null) continue;
    // An opening bid goes a little under the estimate, so rounds take a few bids.
    const quantity = current === null ? Math.max(1, Math.floor(expectedCount(view, face) * 0.7)) : least;
    const margin = expectedCount(view, face) - quantity + random() * 0.5;
    if (best === null || margin > best.margin) best = { quantity, face, margin };
  }
  if (best === null || (current !== null && best.margin < -0.5)) {
    return current === null ? { type: "bid", quantity: 1, face: view.palifico ? (me.dice[0] ?? 2) : 2 } : { type: "dudo" };
  }
  return { type: "bid", quantity: best.quantity, face: best.face };
}
