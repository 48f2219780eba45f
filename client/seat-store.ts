// Where a client keeps its seat (playerId + seat token) between connections and page reloads.
// The token is a secret: it goes to this store and to the server's `rejoin`, nowhere else.

export interface Seat {
  playerId: string;
  seatToken: string;
}

/** Pluggable storage for seats, keyed by server host and room. */
export interface SeatStore {
  load(key: string): Seat | null;
  save(key: string, seat: Seat): void;
  forget(key: string): void;
}

/** Node, tests, or a page that must not persist anything: the seat lives as long as the object. */
export function memorySeatStore(): SeatStore {
  const seats = new Map<string, Seat>();
  return {
    load: (key) => seats.get(key) ?? null,
    save: (key, seat) => void seats.set(key, { ...seat }),
    forget: (key) => void seats.delete(key),
  };
}

/** The subset of the Web Storage API a store needs (sessionStorage, localStorage). */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * Browsers: one seat per tab that survives reloads (sessionStorage), so two tabs can be two
 * players, and a tab opened from this one (window.open) starts with a copy it may take over.
 */
export function webSeatStore(storage: WebStorageLike, prefix = "perudo-vibe:seat:"): SeatStore {
  return {
    load(key) {
      const raw = storage.getItem(prefix + key);
      if (raw === null) return null;
      try {
        const seat = JSON.parse(raw) as Partial<Seat>;
        if (typeof seat.playerId === "string" && typeof seat.seatToken === "string") {
          return { playerId: seat.playerId, seatToken: seat.seatToken };
        }
      } catch {
        // not ours, or damaged: treat as no seat
      }
      return null;
    },
    save: (key, seat) => storage.setItem(prefix + key, JSON.stringify(seat)),
    forget: (key) => storage.removeItem(prefix + key),
  };
}

/** sessionStorage where there is one (a browser), memory otherwise. */
export function defaultSeatStore(): SeatStore {
  const session = (globalThis as { sessionStorage?: WebStorageLike }).sessionStorage;
  return session ? webSeatStore(session) : memorySeatStore();
}
