import { describe, expect, it } from "vitest";
import { activeFrom, nextActiveAfter, nextSeatedAfter } from "../../../party/engine/turns.ts";
import { seat } from "./helpers.ts";

const table = [seat("a", [2]), seat("b", []), seat("c", [3]), seat("d", [4]), seat("e", [])];

describe("seat order", () => {
  it("skips eliminated seats", () => {
    expect(nextActiveAfter(table, "a")).toBe("c");
    expect(nextActiveAfter(table, "b")).toBe("c");
  });
  it("wraps around the table", () => {
    expect(nextActiveAfter(table, "d")).toBe("a");
    expect(nextActiveAfter(table, "e")).toBe("a");
  });
  it("never returns the player themself; null when nobody else is in", () => {
    expect(nextActiveAfter([seat("a", [2]), seat("b", [])], "a")).toBeNull();
    expect(nextActiveAfter(table, "zz")).toBeNull();
  });
  it("activeFrom keeps an active player and moves past an eliminated one", () => {
    expect(activeFrom(table, "c")).toBe("c");
    expect(activeFrom(table, "e")).toBe("a");
  });
  it("the next seated player counts eliminated seats (host hand-over)", () => {
    expect(nextSeatedAfter(table, "a")).toBe("b");
    expect(nextSeatedAfter(table, "e")).toBe("a");
  });
});
