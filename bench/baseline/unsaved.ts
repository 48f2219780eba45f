// perudo-vibe's Worker, unchanged, except that the room's document write is dropped: an ablation
// that shows what the room costs without its one write per accepted action. It breaks the room's
// durability on purpose, so it is used only by `npm run bench:breakdown` (bench/breakdown.ts).
//
// As in counted.ts, `ctx` is replaced after construction by one whose `storage.kv.put` does
// nothing; every other storage call (the load, the alarm) reaches the real storage.
import production, { Main as ProductionMain, type Env } from "../../party/index.ts";
import { withProperty } from "./shadow.ts";

export type { Env };

function withoutKvWrites(ctx: DurableObjectState): DurableObjectState {
  const kv = ctx.storage.kv;
  const unsavedKv: SyncKvStorage = {
    get: (key) => kv.get(key),
    list: (options) => kv.list(options),
    put: () => undefined,
    delete: (key) => kv.delete(key),
  };
  return withProperty(ctx, "storage", withProperty(ctx.storage, "kv", unsavedKv));
}

export class Main extends ProductionMain {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    Object.defineProperty(this, "ctx", { value: withoutKvWrites(ctx), writable: false, configurable: true });
  }
}

export default production;
