// Headless Chromium for the browser tests: Debian's `chromium` package (browsers are never
// downloaded), driven by playwright-core. Kept on loopback: no QUIC, no background networking,
// no component updates or sync, and a fresh profile per launch. If no browser starts, the error
// says how to install one: the browser tests fail, they never skip.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

// Debian's package first; GitHub's Ubuntu runners ship Google Chrome (same engine) instead.
const CANDIDATES = [process.env["CHROMIUM_PATH"], "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (!executablePath) {
    throw new Error("No Chromium found (tried $CHROMIUM_PATH, /usr/bin/chromium). Install Debian's: apt-get install -y chromium");
  }
  const userDataDir = await mkdtemp(path.join(tmpdir(), "perudo-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 390, height: 844 }, // a phone-sized screen
      timeout: 60_000,
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new Error(`Chromium (${executablePath}) did not start: ${error instanceof Error ? error.message : String(error)}`);
  }
}
