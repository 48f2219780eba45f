// Preloaded by every npm script that runs a TypeScript entry point:
//   node --import ./scripts/compile-cache.mjs scripts/<command>.ts
// It turns on Node's compile cache before the first .ts file is read. The cache keeps each
// module's type-stripped and compiled code between runs, so a command neither strips nor compiles
// the CLI, zod and the rest again on every start. It must be in place before the entry point:
// reading even one .ts file without it loads Node's TypeScript stripper (amaro, a wasm module),
// which alone costs 110-150 ms per start on a 2-core VM (`deploy --help`: 330 ms -> 200 ms).
// That is also why this file is JavaScript.
//
// The cache lives in this checkout's node_modules/.cache (not a shared /tmp directory: these
// commands hold deploy tokens). enableCompileCache() does not set NODE_COMPILE_CACHE, and
// --import is not passed on to children, so wrangler and pulumi start exactly as they would
// without it. A preload, not a loader: it registers no module hooks.
import { enableCompileCache } from "node:module";
import { fileURLToPath } from "node:url";

try {
  enableCompileCache(fileURLToPath(new URL("../node_modules/.cache/node-compile-cache", import.meta.url)));
} catch {
  // A cache that cannot be created (read-only checkout) only costs start-up time.
}
