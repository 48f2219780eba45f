// Masking: every byte this tooling prints (its own lines, wrangler's and pulumi's output, error
// messages, the --json object) goes through a Masker that knows every secret value in play.

export const MASK = "***";

/** Values shorter than this are not treated as secrets (masking "1" would garble output). */
const MIN_SECRET_LENGTH = 6;

/** Names of ambient variables whose values are credentials and must never be printed. */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSPHRASE|API_KEY|ACCESS_KEY|PRIVATE_KEY)$/i;

export interface Masker {
  /** Registers a secret; later output containing it (or its URL-encoded form) is masked. */
  add(secret: string | undefined | null): void;
  mask(text: string): string;
  /** [start, end) of every secret occurrence in text. */
  occurrences(text: string): Array<[number, number]>;
  /** Longest registered variant, so streaming can hold back enough of a partial chunk. */
  readonly longest: number;
}

export function createMasker(secrets: Iterable<string | undefined | null> = []): Masker {
  const variants = new Set<string>();
  let longest = 0;
  let pattern: RegExp | null = null;
  const masker: Masker = {
    add(secret) {
      if (!secret || secret.length < MIN_SECRET_LENGTH) return;
      for (const variant of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) {
        if (!variants.has(variant)) {
          variants.add(variant);
          longest = Math.max(longest, variant.length);
        }
      }
      // Longest first, so a secret that contains another is masked whole.
      const sorted = [...variants].sort((a, b) => b.length - a.length);
      pattern = new RegExp(sorted.map(escapeRegExp).join("|"), "g");
    },
    mask(text) {
      return pattern === null ? text : text.replace(pattern, MASK);
    },
    occurrences(text) {
      if (pattern === null) return [];
      return [...text.matchAll(pattern)].map((match) => [match.index, match.index + match[0].length]);
    },
    get longest() {
      return longest;
    },
  };
  for (const secret of secrets) masker.add(secret);
  return masker;
}

/** Secret-looking values of an environment (CLOUDFLARE_API_TOKEN, PULUMI_ACCESS_TOKEN, ...). */
export function secretsInEnv(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && SECRET_NAME.test(name))
    .map(([, value]) => value as string);
}

/**
 * Masks a stream of chunks. Lines are masked whole (a secret never spans a newline); a partial
 * line is held back until its newline arrives, or flushed (minus a tail long enough to hide a
 * secret cut in half) when it grows large.
 */
export function createMaskingWriter(masker: Masker, write: (text: string) => void) {
  let pending = "";
  const FLUSH_AT = 16 * 1024;
  return {
    write(chunk: string | Buffer) {
      pending += chunk.toString();
      const lastNewline = pending.lastIndexOf("\n");
      if (lastNewline >= 0) {
        write(masker.mask(pending.slice(0, lastNewline + 1)));
        pending = pending.slice(lastNewline + 1);
      }
      if (pending.length > FLUSH_AT) {
        // Keep a tail that could hold the start of a secret, and never cut through one.
        let cut = pending.length - Math.max(masker.longest - 1, 0);
        for (const [start, end] of masker.occurrences(pending)) {
          if (start < cut && end > cut) cut = start;
        }
        write(masker.mask(pending.slice(0, cut)));
        pending = pending.slice(cut);
      }
    },
    end() {
      if (pending.length > 0) write(masker.mask(pending));
      pending = "";
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
