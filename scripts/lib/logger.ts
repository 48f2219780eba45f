// Progress output. Everything goes to stderr (stdout is kept for the summary or the --json
// object) and through the masker, so no secret is ever printed.
import type { Masker } from "./secrets.js";
import { createMaskingWriter } from "./secrets.js";

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
}

export function createLogger(masker: Masker, out: WritableLike = process.stderr): Logger {
  const line = (text: string) => out.write(`${masker.mask(text)}\n`);
  return {
    step: (title) => line(`\n== ${title}`),
    info: (message) => line(message),
    warn: (message) => line(`warning: ${message}`),
    error: (message) => line(`error: ${message}`),
    stream(prefix = "") {
      const writer = createMaskingWriter(masker, (text) => {
        out.write(prefix ? text.replace(/^(?=.)/gm, prefix) : text);
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
