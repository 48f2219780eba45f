// perudo-vibe's Worker, unchanged, except that the room's document write is dropped: an ablation
// that shows what the room costs without its one write per accepted action. It breaks the room's
// durability on purpose, so it is used only by `npm run bench:breakdown` (bench/breakdown.ts).
//
// As in counted.ts, `ctx` is replaced after construction by one whose `storage.kv.put` does
// nothing; every other storage call (the load, the alarm) reaches the real storage.
import production, { Main as ProductionMain, type Env } from "../../party/index.ts";

export type { Env };

function withoutKvWrites(ctx: DurableObjectState): DurableObjectState {
  const kv = ctx.storage.kv;
  const unsavedKv: SyncKvStorage = {
    get: (key) => kv.get(key),
    list: (options) => kv.list(options),
    put: () => undefined,
    delete: (key) => kv.delete(key),
  };
  const storage = new Proxy(ctx.storage, {
    get(target, property) {
      if (property === "kv") return unsavedKv;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return new Proxy(ctx, {
    get(target, property) {
      if (property === "storage") return storage;
      const value: unknown = Reflect.get(target, property, target);
      // Runtime methods (acceptWebSocket, getWebSockets, ...) need the real object as `this`.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export class Main extends ProductionMain {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    Object.defineProperty(this, "ctx", { value: withoutKvWrites(ctx), writable: false, configurable: true });
  }
}

export default production;
