// The client library's small pure parts: the /health probe's verdicts per platform, and the
// seat stores (a damaged stored seat is no seat, never an exception).
import { describe, expect, it } from "vitest";
import { probeServer, type FetchFunction } from "../../../client/probe.ts";
import { memorySeatStore, webSeatStore, type WebStorageLike } from "../../../client/seat-store.ts";

/** A fetch that answers per mode: "ok" (with or without CORS), "fail" (TypeError like a browser). */
function fakeFetch(answers: { cors: "ok" | "ok-with-acao" | "fail"; noCors?: "ok" | "fail" }): FetchFunction & { calls: RequestInit[] } {
  const calls: RequestInit[] = [];
  const fetch = (async (_url: string, init?: RequestInit) => {
    calls.push(init ?? {});
    const answer = init?.mode === "no-cors" ? answers.noCors : answers.cors;
    if (answer === "fail" || answer === undefined) throw new TypeError("Failed to fetch");
    return new Response("{}", { headers: answer === "ok-with-acao" ? { "access-control-allow-origin": "*" } : {} });
  }) as FetchFunction & { calls: RequestInit[] };
  fetch.calls = calls;
  return fetch;
}

describe("probeServer", () => {
  const base = { baseUrl: "http://127.0.0.1:1" };
  it("browser: a readable /health means the origin is allowed; opaque-only means refused; nothing means unreachable", async () => {
    expect(await probeServer({ ...base, browser: true, fetch: fakeFetch({ cors: "ok" }) })).toBe("reachable");
    expect(await probeServer({ ...base, browser: true, fetch: fakeFetch({ cors: "fail", noCors: "ok" }) })).toBe("refused");
    expect(await probeServer({ ...base, browser: true, fetch: fakeFetch({ cors: "fail", noCors: "fail" }) })).toBe("unreachable");
  });
  it("node: sends the Origin and reads Access-Control-Allow-Origin", async () => {
    const allowed = fakeFetch({ cors: "ok-with-acao" });
    expect(await probeServer({ ...base, browser: false, origin: "https://app.example.com", fetch: allowed })).toBe("reachable");
    expect(allowed.calls[0]!.headers).toEqual({ Origin: "https://app.example.com" });
    expect(await probeServer({ ...base, browser: false, fetch: fakeFetch({ cors: "ok" }) })).toBe("refused");
    expect(await probeServer({ ...base, browser: false, fetch: fakeFetch({ cors: "fail", noCors: "ok" }) })).toBe("unreachable");
  });
});

describe("seat stores", () => {
  it("web storage: round trip, forget, and damaged entries read as no seat", () => {
    const items = new Map<string, string>();
    const storage: WebStorageLike = {
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => void items.set(key, value),
      removeItem: (key) => void items.delete(key),
    };
    const store = webSeatStore(storage);
    store.save("h/r", { playerId: "p_1", seatToken: "secret" });
    expect(store.load("h/r")).toEqual({ playerId: "p_1", seatToken: "secret" });
    expect(store.load("h/other")).toBeNull();
    store.forget("h/r");
    expect(store.load("h/r")).toBeNull();
    items.set("perudo-vibe:seat:h/r", "{not json");
    expect(store.load("h/r")).toBeNull();
    items.set("perudo-vibe:seat:h/r", JSON.stringify({ playerId: 5 }));
    expect(store.load("h/r")).toBeNull();
  });
  it("memory: copies what it is given", () => {
    const store = memorySeatStore();
    const seat = { playerId: "p_1", seatToken: "secret" };
    store.save("k", seat);
    seat.seatToken = "changed";
    expect(store.load("k")?.seatToken).toBe("secret");
  });
});
