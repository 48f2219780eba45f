// zod for the deploy-side scripts, loaded through require() (zod ships CommonJS too). Under tsx,
// every file an ES-module import loads goes through tsx's loader hooks, which run on another
// thread; zod 4 is ~100 files, and that made importing it cost ~0.2 s more than loading the same
// library natively, on every start of every command. Same API and types as `import { z } from "zod"`.
import { createRequire } from "node:module";
import type { z as zod } from "zod";

export const z: typeof zod = (createRequire(import.meta.url)("zod") as typeof import("zod")).z;

// Types used as `z.infer<...>` / `z.ZodType` next to the value above.
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace z {
  export type infer<T> = zod.infer<T>;
  export type ZodType<Output = unknown, Input = unknown> = zod.ZodType<Output, Input>;
}
