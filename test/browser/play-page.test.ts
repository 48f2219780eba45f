// The play page in headless Chromium (Debian's package via playwright-core) against real
// workerd: three tabs play a game to a winner by clicking the page's controls; a reload mid-game
// keeps the seat and dice; a tab opened from another takes the seat over and the old one stops;
// a page served from an origin the server refuses says so. The end of the game is saved as a
// screenshot (test-results/browser/end-of-game.png).
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_DIST } from "../../scripts/build-page.ts";
import { launchBrowser, type Browser } from "../support/browser.ts";
import { PROJECT_ROOT, startDevServer, type DevServer } from "../support/dev-server.ts";
import { uniqueRoom } from "../support/ws-client.ts";

const ARTIFACTS = path.join(PROJECT_ROOT, "test-results/browser");
let server: DevServer;
let browser: Browser;
let otherOrigin: Server | undefined;

beforeAll(async () => {
  // An allow-list that does not name the page's own origin: the Worker allows it anyway.
  [server, browser] = await Promise.all([
    startDevServer({ vars: { ALLOWED_ORIGINS: "https://app.example.com", TURN_SECONDS: "120" } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => (otherOrigin ? otherOrigin.close(resolve) : resolve(undefined)));
});

async function openTable(room: string, name: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on("pageerror", (error) => console.error(`${name}: page error: ${error.message}`));
  await page.goto(`${server.url}/`);
  await page.fill("#room", room);
  await page.fill("#name", name);
  await page.click("#enter-button");
  await expectYou(page, name);
  return page;
}

async function expectYou(page: Page, name: string): Promise<void> {
  await page.locator("#players li", { hasText: `${name} (you)` }).waitFor({ timeout: 20_000 });
  await expect.poll(() => page.locator("#status").getAttribute("data-status")).toBe("ready");
}

/** The page whose player is to act (exactly one shows "Your turn"). */
async function actor(pages: Page[]): Promise<Page> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const mine = [];
    for (const page of pages) if ((await page.locator("#turn").textContent())?.startsWith("Your turn")) mine.push(page);
    if (mine.length === 1) return mine[0]!;
    await pages[0]!.waitForTimeout(50);
  }
  throw new Error("no single page shows 'Your turn'");
}

/** One move by clicking: dudo when a bid stands, else the opening bid 1 × 2. */
async function playOneMove(pages: Page[]): Promise<void> {
  const page = await actor(pages);
  const bidBefore = await page.locator("#bid").textContent();
  const roundBefore = await page.locator("#round").textContent();
  if (await page.locator("#dudo-button").isEnabled()) {
    await page.click("#dudo-button");
  } else {
    await page.fill("#quantity", "1");
    await page.selectOption("#face", "2");
    await page.click("#bid-button");
  }
  await expect
    .poll(async () =>
      (await page.locator("#winner").isVisible()) ||
      (await page.locator("#bid").textContent()) !== bidBefore ||
      (await page.locator("#round").textContent()) !== roundBefore,
    )
    .toBe(true);
  expect(await page.locator("#notice").textContent()).toBe("");
}

describe("the play page", () => {
  it("serves the page at / from the Worker, with the API paths unchanged", async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain('<script type="module" src="/main.js">');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect((await fetch(`${server.url}/nothing-here`)).status).toBe(404);
  });

  it("three tabs play a game to a winner; a reload keeps seat and dice; a second tab takes a seat over", async () => {
    const room = uniqueRoom("page");
    const pages = [await openTable(room, "Ana"), await openTable(room, "Bob"), await openTable(room, "Cy")];
    await pages[0]!.locator("#players li").nth(2).waitFor();
    await pages[0]!.click("#start-button");
    for (const page of pages) await page.locator("#round", { hasText: "round 1" }).waitFor();
    await expect.poll(() => pages[1]!.locator("#dice").getAttribute("data-faces")).toMatch(/^[1-6](,[1-6]){4}$/);

    // Round 1: a bid and a dudo, so round 2 shows the revealed dice.
    await playOneMove(pages);
    await playOneMove(pages);
    await pages[0]!.locator("#last-round", { hasText: "Round 1:" }).waitFor();

    // Reload Bob's tab mid-game: same seat, same dice, no new join.
    const bobDice = await pages[1]!.locator("#dice").getAttribute("data-faces");
    await pages[1]!.reload();
    await expectYou(pages[1]!, "Bob");
    expect(await pages[1]!.locator("#dice").getAttribute("data-faces")).toBe(bobDice);
    expect(await pages[1]!.locator("#players li").count()).toBe(3);

    // Cy opens a second tab from the first (it inherits the tab's session): it takes the seat,
    // and the first tab stops.
    const [second] = await Promise.all([
      browser.context.waitForEvent("page"),
      pages[2]!.evaluate("void window.open(location.href)"),
    ]);
    await expectYou(second, "Cy");
    await expect.poll(() => pages[2]!.locator("#status").getAttribute("data-status")).toBe("taken-over");
    await expect.poll(() => pages[2]!.locator("#status").textContent()).toMatch(/another tab/);
    const stale = pages[2]!;
    pages[2] = second;

    // Play on to a winner, only by clicking.
    for (let move = 0; move < 120 && !(await pages[0]!.locator("#winner").isVisible()); move++) await playOneMove(pages);
    const winner = await pages[0]!.locator("#winner").textContent();
    expect(winner).toMatch(/^(Ana|Bob|Cy) wins!$/);
    for (const page of pages) expect(await page.locator("#winner").textContent()).toBe(winner);
    // The tab that lost its seat never came back.
    expect(await stale.locator("#status").getAttribute("data-status")).toBe("taken-over");
    await pages[0]!.screenshot({ path: path.join(ARTIFACTS, "end-of-game.png"), fullPage: true });
  });

  it("a page on an origin the server refuses says it was refused", async () => {
    // The same built page, served from another loopback origin, pointed at the server.
    otherOrigin = createServer(async (request, response) => {
      const file = new URL(request.url ?? "/", "http://x").pathname.replace(/^\/$/, "/index.html");
      try {
        const body = await readFile(path.join(PAGE_DIST, path.basename(file)));
        const type = file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html";
        response.writeHead(200, { "content-type": type }).end(body);
      } catch {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => otherOrigin!.listen(0, "127.0.0.1", resolve));
    const port = (otherOrigin.address() as { port: number }).port;
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${port}/?server=127.0.0.1:${server.port}`);
    await page.fill("#room", uniqueRoom("refused"));
    await page.fill("#name", "Eve");
    await page.click("#enter-button");
    await expect.poll(() => page.locator("#status").getAttribute("data-status"), { timeout: 30_000 }).toBe("refused");
    expect(await page.locator("#status").textContent()).toMatch(/origin is refused/);
    await page.close();
  });
});
