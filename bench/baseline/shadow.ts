// The baselines' one proxy technique: a runtime object with one property answered by a stand-in.
/**
 * `target` with `property` replaced by `replacement`; everything else comes from the real object,
 * and its methods are bound to it (runtime methods such as acceptWebSocket or getWebSockets need
 * the real object as `this`).
 */
export function withProperty<T extends object>(target: T, property: PropertyKey, replacement: unknown): T {
  return new Proxy(target, {
    get(real, key) {
      if (key === property) return replacement;
      const value: unknown = Reflect.get(real, key, real);
      return typeof value === "function" ? value.bind(real) : value;
    },
  });
}
