// Seat order as plain data. Seats are the `players` array in join order; eliminated players keep
// their seat until they leave, so "next" always skips them and wraps around the table.
import type { Player, PlayerId } from "./types.ts";

export function isActive(player: Player): boolean {
  return !player.eliminated;
}

export function activePlayers(players: readonly Player[]): Player[] {
  return players.filter(isActive);
}

export function findPlayer(players: readonly Player[], id: PlayerId): Player | undefined {
  return players.find((p) => p.id === id);
}

/** The first seat after `id` (wrapping, never `id` itself) that satisfies `accept`. */
function nextSeatAfter(
  players: readonly Player[],
  id: PlayerId,
  accept: (p: Player) => boolean,
): PlayerId | null {
  const from = players.findIndex((p) => p.id === id);
  if (from === -1) return null;
  for (let step = 1; step < players.length; step++) {
    const candidate = players[(from + step) % players.length];
    if (candidate && accept(candidate)) return candidate.id;
  }
  return null;
}

/** The next non-eliminated player after `id` in seat order, or null if nobody else is active. */
export function nextActiveAfter(players: readonly Player[], id: PlayerId): PlayerId | null {
  return nextSeatAfter(players, id, isActive);
}

/** The next seated player after `id` (eliminated or not): who inherits the host role. */
export function nextSeatedAfter(players: readonly Player[], id: PlayerId): PlayerId | null {
  return nextSeatAfter(players, id, () => true);
}

/** `id` if still active, otherwise the next active player after their seat. */
export function activeFrom(players: readonly Player[], id: PlayerId): PlayerId | null {
  const player = findPlayer(players, id);
  if (player && isActive(player)) return id;
  return nextActiveAfter(players, id);
}
