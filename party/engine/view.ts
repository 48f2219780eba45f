// Hidden information as a pure projection: what one seat (or a spectator) may see.
import { findPlayer } from "./turns.ts";
import type { GameState, GameView, PlayerId, RoundResult } from "./types.ts";

/**
 * `playerId`'s view: their own dice, and for everyone only public facts (names, dice counts,
 * the bid). Other players' dice appear only in `lastRound`, a round already revealed.
 * A spectator (`null`) or an unknown id gets `you: null`.
 */
export function viewFor(state: GameState, playerId: PlayerId | null): GameView {
  const me = playerId === null ? undefined : findPlayer(state.players, playerId);
  return {
    phase: state.phase,
    round: state.round,
    hostId: state.hostId,
    players: state.players.map((p) => ({
      id: p.id,
      name: p.name,
      diceCount: p.dice.length,
      eliminated: p.eliminated,
    })),
    you: me ? { id: me.id, dice: [...me.dice] } : null,
    turn: state.turn,
    currentBid: state.currentBid ? { ...state.currentBid } : null,
    palifico: state.palifico,
    lastRound: state.lastRound ? copyResult(state.lastRound) : null,
    winnerId: state.winnerId,
  };
}

function copyResult(result: RoundResult): RoundResult {
  return {
    ...result,
    bid: { ...result.bid },
    dice: Object.fromEntries(Object.entries(result.dice).map(([id, hand]) => [id, [...hand]])),
  };
}
