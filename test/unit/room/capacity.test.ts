// Room capacity as a pure decision: when an upgrade is admitted, refused, or admitted after the
// oldest socket without a seat makes room; and the MAX_CONNECTIONS_PER_ROOM var.
import { describe, expect, it } from "vitest";
import { MAX_PLAYERS } from "../../../party/engine/types.ts";
import {
  DEFAULT_MAX_CONNECTIONS_PER_ROOM,
  admitConnection,
  parseMaxConnectionsPerRoom,
  type OpenSocket,
} from "../../../party/room/capacity.ts";

function sockets(seated: number, unseated: number): OpenSocket[] {
  const open: OpenSocket[] = [];
  for (let i = 0; i < seated; i++) open.push({ id: `seat-${i}`, seated: true, since: 1000 + i });
  // Spectators opened in reverse order, so the oldest is not simply the first listed.
  for (let i = 0; i < unseated; i++) open.push({ id: `spectator-${i}`, seated: false, since: 5000 - i });
  return open;
}

describe("admitConnection", () => {
  it("admits below the limit", () => {
    expect(admitConnection(sockets(2, 5), 8)).toEqual({ admit: true, displace: null });
    expect(admitConnection([], 8)).toEqual({ admit: true, displace: null });
  });

  it("refuses a full room whose spectators stay within their share", () => {
    expect(admitConnection(sockets(6, 2), 8)).toEqual({ admit: false });
    expect(admitConnection(sockets(6, 58), 64)).toEqual({ admit: false });
  });

  it("lets the oldest socket without a seat make room when spectators exceed their share", () => {
    expect(admitConnection(sockets(2, 6), 8)).toEqual({ admit: true, displace: "spectator-5" });
  });

  it("never refuses a seated player coming back because spectators filled the room", () => {
    // Every split of a full room with at least one seat not connected (at most 5 seats held).
    for (let limit = MAX_PLAYERS; limit <= 70; limit++) {
      for (let seated = 0; seated < MAX_PLAYERS; seated++) {
        for (const extra of [0, 1, 3]) {
          const unseated = limit - seated + extra;
          if (unseated < 0) continue;
          const admission = admitConnection(sockets(seated, unseated), limit);
          expect(admission, `limit ${limit}, ${seated} seated, ${unseated} unseated`).toMatchObject({ admit: true });
        }
      }
    }
  });
});

describe("parseMaxConnectionsPerRoom", () => {
  it("reads a whole number of at least the seats, else the default", () => {
    expect(parseMaxConnectionsPerRoom("64")).toBe(64);
    expect(parseMaxConnectionsPerRoom(" 200 ")).toBe(200);
    expect(parseMaxConnectionsPerRoom(String(MAX_PLAYERS))).toBe(MAX_PLAYERS);
    for (const raw of [undefined, "", "  ", "5", "0", "-3", "12.5", "NaN", "Infinity", "abc"]) {
      expect(parseMaxConnectionsPerRoom(raw), String(raw)).toBe(DEFAULT_MAX_CONNECTIONS_PER_ROOM);
    }
  });
});
