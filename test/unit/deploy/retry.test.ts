import { describe, expect, it } from "vitest";
import { backoffDelay, withRetries } from "../../../scripts/lib/retry.ts";

describe("backoff", () => {
  it("grows by the factor and is capped", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, { baseMs: 1000, maxMs: 5000 }))).toEqual([0, 1000, 2000, 4000, 5000]);
  });

  it("retries transient failures only, a bounded number of times, sleeping between", async () => {
    const sleeps: number[] = [];
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error("transient");
        },
        { attempts: 3, baseMs: 10, isTransient: () => true, sleep: async (ms) => void sleeps.push(ms) },
      ),
    ).rejects.toThrow("transient");
    expect(calls).toBe(3);
    expect(sleeps).toEqual([10, 20]);

    calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error("permanent");
        },
        { attempts: 3, baseMs: 10, isTransient: () => false, sleep: async () => {} },
      ),
    ).rejects.toThrow("permanent");
    expect(calls).toBe(1);
  });

  it("returns the first success", async () => {
    let calls = 0;
    const value = await withRetries(async (attempt) => {
      calls++;
      if (attempt < 2) throw new Error("flaky");
      return "ok";
    }, { attempts: 5, baseMs: 0, isTransient: () => true, sleep: async () => {} });
    expect(value).toBe("ok");
    expect(calls).toBe(2);
  });
});
