import { describe, expect, it } from "vitest";
import type { FetchLike } from "../../../scripts/lib/cloudflare-api.ts";
import { VerifyError } from "../../../scripts/lib/errors.ts";
import { createMemoryLogger } from "../../../scripts/lib/logger.ts";
import { PLAY_PAGE_MARKER, judgeHealth, judgePage, smokeSocketUrl, verifyDeployment, type SocketCheck } from "../../../scripts/lib/verify.ts";

describe("judgeHealth", () => {
  it.each([
    [{ networkError: "ENOTFOUND" }, "b1", false, "no answer (ENOTFOUND)"],
    [{ status: 522, body: "" }, "b1", false, "HTTP 522"],
    [{ status: 200, body: "<html>" }, "b1", false, "HTTP 200 but not JSON (is something else serving this host?)"],
    [{ status: 200, body: '{"ok":true,"version":"b0"}' }, "b1", false, "build b0 answering, waiting for b1"],
    [{ status: 200, body: '{"ok":true,"version":"b1"}' }, "b1", true, "healthy, build b1"],
    [{ status: 200, body: '{"ok":true,"version":"anything"}' }, undefined, true, "healthy, build anything"],
  ] as const)("%j for %s", (answer, buildId, ok, summary) => {
    expect(judgeHealth(answer, buildId)).toMatchObject({ ok, summary });
  });
});

describe("smokeSocketUrl", () => {
  it("maps http to ws and https to wss", () => {
    expect(smokeSocketUrl("http://127.0.0.1:8787", "smoke-1")).toBe("ws://127.0.0.1:8787/parties/main/smoke-1");
    expect(smokeSocketUrl("https://perudo.example.com/", "smoke-1")).toBe("wss://perudo.example.com/parties/main/smoke-1");
  });
});

/** A clock that only moves when the code sleeps, plus scripted /health answers. */
function harness(healthAnswers: Array<{ status: number; version?: string } | Error>, socketResults: Array<{ ok: boolean; summary: string }>) {
  let clock = 0;
  let healthIndex = 0;
  let socketIndex = 0;
  const fetch: FetchLike = async () => {
    const answer = healthAnswers[Math.min(healthIndex++, healthAnswers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return new Response(JSON.stringify({ ok: true, name: "perudo-vibe", version: answer.version }), { status: answer.status });
  };
  const socketCalls: Array<{ url: string; origin?: string | undefined }> = [];
  const socketCheck: SocketCheck = async (url, options) => {
    socketCalls.push({ url, origin: options.origin });
    return { ...socketResults[Math.min(socketIndex++, socketResults.length - 1)]!, received: [] };
  };
  return {
    deps: { fetch, socketCheck, sleep: async (ms: number) => void (clock += ms), now: () => clock },
    socketCalls,
    elapsed: () => clock,
  };
}

describe("judgePage", () => {
  const html = (body: string) => ({ status: 200, contentType: "text/html; charset=utf-8", body });
  it("accepts only the play page: HTML with its marker", () => {
    expect(judgePage(html(`<head>${PLAY_PAGE_MARKER} /></head>`))).toEqual({ ok: true, summary: "play page served" });
    expect(judgePage(html("<h1>Welcome to nginx</h1>"))).toMatchObject({ ok: false, summary: "HTTP 200 HTML, but not the perudo-vibe play page" });
    expect(judgePage({ status: 404, contentType: "application/json", body: "{}" })).toMatchObject({ ok: false, summary: "HTTP 404" });
    expect(judgePage({ status: 200, contentType: "application/json", body: PLAY_PAGE_MARKER })).toMatchObject({ ok: false });
    expect(judgePage({ networkError: "ECONNRESET" })).toMatchObject({ ok: false, summary: "no answer (ECONNRESET)" });
  });

  it("with checkPage, verification waits for the page and fails (exit 6) when it never comes", async () => {
    let clock = 0;
    const requests: string[] = [];
    let pageAnswers = 0;
    const fetch: FetchLike = async (url) => {
      const { pathname } = new URL(url);
      requests.push(pathname);
      if (pathname === "/health") return new Response(JSON.stringify({ ok: true, version: "new" }));
      pageAnswers++;
      return pageAnswers === 1
        ? new Response("{}", { status: 404, headers: { "content-type": "application/json" } })
        : new Response(`<html>${PLAY_PAGE_MARKER} />`, { headers: { "content-type": "text/html" } });
    };
    const deps = { fetch, sleep: async (ms: number) => void (clock += ms), now: () => clock };
    const socketCheck: SocketCheck = async () => ({ ok: true, summary: "welcome and state received", received: [] });
    const logger = createMemoryLogger();
    await verifyDeployment({ base: "https://p.example.com", buildId: "new", checkPage: true, timeoutMs: 60_000, logger, socketCheck, ...deps });
    expect(requests).toEqual(["/health", "/", "/"]);
    expect(logger.lines.join("\n")).toMatch(/HTTP 404[\s\S]*play page served/);

    const never: FetchLike = async (url) =>
      new URL(url).pathname === "/health" ? new Response(JSON.stringify({ ok: true, version: "new" })) : new Response("{}", { status: 404 });
    const failing = verifyDeployment({ base: "https://p.example.com", buildId: "new", checkPage: true, timeoutMs: 10_000, logger, socketCheck, ...deps, fetch: never });
    await expect(failing).rejects.toBeInstanceOf(VerifyError);
    await expect(failing).rejects.toThrow(/https:\/\/p\.example\.com\/ HTTP 404[\s\S]*npm run build/);
  });
});

describe("verifyDeployment", () => {
  it("waits through DNS errors and the old build, then requires welcome + state from a fresh room", async () => {
    const { deps, socketCalls } = harness(
      [new TypeError("fetch failed"), { status: 200, version: "old" }, { status: 200, version: "new" }],
      [{ ok: false, summary: "closed (1006) before welcome" }, { ok: true, summary: "welcome and state received" }],
    );
    const logger = createMemoryLogger();
    const result = await verifyDeployment({ base: "https://perudo.example.com", buildId: "new", origin: "https://app.example.com", timeoutMs: 60_000, logger, room: "smoke-x", ...deps });
    expect(result).toMatchObject({ version: "new", room: "smoke-x" });
    expect(socketCalls).toEqual([
      { url: "wss://perudo.example.com/parties/main/smoke-x", origin: "https://app.example.com" },
      { url: "wss://perudo.example.com/parties/main/smoke-x", origin: "https://app.example.com" },
    ]);
    expect(logger.lines.join("\n")).toMatch(/no answer[\s\S]*build old answering, waiting for new[\s\S]*healthy, build new/);
  });

  it("times out (VerifyError, exit 6) while an older build answers, within the bound", async () => {
    const { deps, elapsed } = harness([{ status: 200, version: "old" }], []);
    const error = await verifyDeployment({ base: "http://x", buildId: "new", timeoutMs: 10_000, logger: createMemoryLogger(), ...deps }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).exitCode).toBe(6);
    expect((error as Error).message).toMatch(/build old answering, waiting for new[\s\S]*older build/);
    expect(elapsed()).toBe(10_000);
  });

  it("names the caller's own timeout flag, and smoke does not suggest running smoke", async () => {
    const deploy = harness([new TypeError("fetch failed")], []);
    const fromDeploy = await verifyDeployment({ base: "http://x", timeoutMs: 5_000, logger: createMemoryLogger(), ...deploy.deps }).catch((e: Error) => e.message);
    expect(fromDeploy).toContain("re-run with a larger --verify-timeout");
    expect(fromDeploy).toContain("npm run smoke -- --url http://x");
    const smoke = harness([new TypeError("fetch failed")], []);
    const fromSmoke = await verifyDeployment({ base: "http://x", timeoutMs: 5_000, caller: "smoke", logger: createMemoryLogger(), ...smoke.deps }).catch((e: Error) => e.message);
    expect(fromSmoke).toContain("re-run with a larger --timeout.");
    expect(fromSmoke).not.toContain("--verify-timeout");
    expect(fromSmoke).not.toContain("npm run smoke");
  });

  it("fails when the room never sends welcome + state", async () => {
    const { deps } = harness([{ status: 200, version: "b" }], [{ ok: false, summary: "no welcome within 5s (received: nothing)" }]);
    await expect(verifyDeployment({ base: "http://x", buildId: "b", timeoutMs: 8_000, logger: createMemoryLogger(), ...deps })).rejects.toThrow(
      /WebSocket ws:\/\/x\/parties\/main\/smoke-[0-9a-f]+ no welcome/,
    );
  });
});
