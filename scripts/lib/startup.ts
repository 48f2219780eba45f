// Start-up of the CLI entry points. Node's compile cache keeps each module's type-stripped and
// compiled code between runs, so a command does not strip and compile the CLI, zod and the rest
// again on every start (measured: `node scripts/deploy.ts --help` 1.5 s -> 0.5 s on a busy 2-core
// VM). The cache lives in this checkout's node_modules/.cache (not a shared /tmp directory: these
// commands hold deploy tokens), and only this process uses it: enableCompileCache() does not set
// NODE_COMPILE_CACHE, so wrangler and pulumi start exactly as they would without it.
// An entry point calls this first and import()s everything else, because static imports are all
// loaded before any module body runs.
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";

export function enableStartupCache(): void {
  try {
    enableCompileCache(fileURLToPath(new URL("../../node_modules/.cache/node-compile-cache", import.meta.url)));
  } catch {
    // A cache that cannot be created (read-only checkout) only costs start-up time.
  }
}
