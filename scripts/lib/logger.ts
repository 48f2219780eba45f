// Progress output. Everything goes to stderr (stdout is kept for the summary or the --json
// object) and through the masker, so no secret is ever printed.
import type { Masker } from "./secrets.ts";
import { createMaskingWriter } from "./secrets.ts";

export interface Logger {
  /** A step heading ("Outputs", "Preflight", ...). */
  step(title: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** A writer for a child's raw output (masked line by line); call end() when it closes. */
  stream(prefix?: string): { write(chunk: string | Buffer): void; end(): void };
}

export interface WritableLike {
  write(text: string): unknown;
  isTTY?: boolean;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

export function createLogger(masker: Masker, out: WritableLike = process.stderr): Logger {
  const line = (text: string) => out.write(`${masker.mask(text)}\n`);
  return {
    step: (title) => line(`\n== ${title}`),
    info: (message) => line(message),
    warn: (message) => line(`warning: ${message}`),
    error: (message) => line(`error: ${message}`),
    stream(prefix = "") {
      // wrangler colours its errors even without a terminal; keep logs and CI output plain.
      const plain = out.isTTY !== true;
      const writer = createMaskingWriter(masker, (text) => {
        const shown = plain ? text.replace(ANSI, "") : text;
        out.write(prefix ? shown.replace(/^(?=.)/gm, prefix) : shown);
      });
      return writer;
    },
  };
}

/** A logger that records lines (unit tests). */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step: (title) => lines.push(`== ${title}`),
    info: (message) => lines.push(message),
    warn: (message) => lines.push(`warning: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
    stream: () => ({ write: (chunk) => lines.push(chunk.toString()), end: () => {} }),
  };
}
