// How many sockets one room accepts. Every accepted move is sent to every socket in the room, so
// an unbounded room lets a few thousand spectators turn each move into thousands of sends.
//
// The bound counts seats and spectators together, but part of it is kept for the players: a
// seated player's new socket is indistinguishable from a spectator's until it sends `rejoin`,
// so instead of guessing at upgrade time the room makes room. When the room is full and more
// sockets without a seat are open than the spectators' share (the bound minus the six seats),
// the oldest of them is closed (close code ROOM_FULL) and the new socket is accepted. A player
// whose seat is not connected therefore always gets in: with at most five seats connected, a
// full room always holds more than the spectators' share. Only when the spectators hold no more
// than their share (every seat connected, or the spectators within their share) is an upgrade
// refused, before the socket opens, with HTTP 503.
import { MAX_PLAYERS } from "../engine/types.ts";

/** MAX_CONNECTIONS_PER_ROOM when unset or invalid. */
export const DEFAULT_MAX_CONNECTIONS_PER_ROOM = 64;

/**
 * MAX_CONNECTIONS_PER_ROOM: a whole number of at least MAX_PLAYERS (6, then no spectators);
 * anything else means the default, like TURN_SECONDS.
 */
export function parseMaxConnectionsPerRoom(raw: string | undefined): number {
  const value = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isInteger(value) && value >= MAX_PLAYERS
    ? value
    : DEFAULT_MAX_CONNECTIONS_PER_ROOM;
}

/** An open socket of the room, as the admission decision needs it. */
export interface OpenSocket {
  id: string;
  /** Bound to a seat at the table (a player, not a spectator). */
  seated: boolean;
  /** When it was accepted (epoch ms): the oldest socket without a seat makes room first. */
  since: number;
}

export type Admission =
  | { admit: true; displace: null }
  /** Accept, after closing `displace` (a socket without a seat) with CloseCode.ROOM_FULL. */
  | { admit: true; displace: string }
  | { admit: false };

/** Whether one more socket may open in a room that has `open` sockets. Pure. */
export function admitConnection(open: readonly OpenSocket[], maxConnections: number): Admission {
  if (open.length < maxConnections) return { admit: true, displace: null };
  const spectatorShare = maxConnections - MAX_PLAYERS;
  const unseated = open.filter((socket) => !socket.seated);
  if (unseated.length <= spectatorShare) return { admit: false };
  const oldest = unseated.reduce((a, b) => (b.since < a.since ? b : a));
  return { admit: true, displace: oldest.id };
}
