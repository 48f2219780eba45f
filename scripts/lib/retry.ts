// Bounded retries with growing backoff, for failures classified as transient only.

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackoffOptions {
  /** Delay before the 2nd attempt. */
  baseMs: number;
  /** Growth per attempt (default 2: base, 2*base, 4*base, ...). */
  factor?: number;
  /** Cap on one delay. */
  maxMs?: number;
}

/** Delay before attempt `attempt` (2, 3, ...): base * factor^(attempt-2), capped. Pure. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  if (attempt <= 1) return 0;
  const factor = options.factor ?? 2;
  const delay = options.baseMs * factor ** (attempt - 2);
  return Math.min(delay, options.maxMs ?? 60_000);
}

export interface RetryOptions extends BackoffOptions {
  /** Total attempts, including the first (>= 1). */
  attempts: number;
  /** Decides whether a thrown error earns another attempt. */
  isTransient(error: unknown): boolean;
  sleep?: Sleep;
  onRetry?(info: { attempt: number; nextAttempt: number; delayMs: number; error: unknown }): void;
  /** Runs after the last failed attempt; may wrap the error. Default: rethrow. */
  onGiveUp?(error: unknown, attempts: number): never;
  /** Stop retrying once this returns true (e.g. a deadline passed). */
  shouldStop?(): boolean;
}

export async function withRetries<T>(
  action: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      const last = attempt >= options.attempts || !options.isTransient(error) || options.shouldStop?.() === true;
      if (last) {
        if (options.onGiveUp && options.isTransient(error)) options.onGiveUp(error, attempt);
        throw error;
      }
      const delayMs = backoffDelay(attempt + 1, options);
      options.onRetry?.({ attempt, nextAttempt: attempt + 1, delayMs, error });
      await sleep(delayMs);
    }
  }
}
