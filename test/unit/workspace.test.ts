import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("workspace", () => {
  it("pins wrangler to the newest 4.x line that still runs on Node 20", () => {
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(pkg.devDependencies.wrangler).toMatch(/^4\.86\./);
    expect(pkg.engines.node).toBe(">=20.3.0");
  });
});
