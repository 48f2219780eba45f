// Per-connection message rate limit: at most `limit` accepted messages in any `windowMs` span.
//
// Kept in memory only, on purpose: it protects the room from floods and is not needed for
// correctness. When the Durable Object hibernates or restarts the windows are forgotten, which at
// worst lets a connection send one extra burst; persisting them would cost a storage write per
// message, which is exactly what hibernation and the write budget are meant to avoid.
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  /** connection id -> timestamps of its accepted messages inside the current window, oldest first. */
  readonly #accepted = new Map<string, number[]>();

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Records a message at `now` and says whether it is within the limit. */
  allow(connectionId: string, now: number): boolean {
    const recent = (this.#accepted.get(connectionId) ?? []).filter((t) => now - t < this.#windowMs);
    const allowed = recent.length < this.#limit;
    if (allowed) recent.push(now);
    this.#accepted.set(connectionId, recent);
    return allowed;
  }

  forget(connectionId: string): void {
    this.#accepted.delete(connectionId);
  }
}
