// perudo-vibe's Worker, unchanged, with every Durable Object storage call counted. Used only by
// the bench's cost section (bench/sections/cost.ts); the latency runs use the production build.
//
// The room class is subclassed and its `ctx` replaced by one whose `storage` is a counting proxy, so the
// production code in party/ stays untouched. Counters live in module memory (one isolate serves
// the Worker and its Durable Objects under `wrangler dev`) and are read over HTTP:
//   GET /__bench/counters  -> { rooms: { [roomId]: StorageCounters } }
import production, { Main as ProductionMain, type Env } from "../../party/index.ts";
import type { StorageCounters } from "../lib/storage-counters.ts";
import { withProperty } from "./shadow.ts";

export type { Env, StorageCounters };

const rooms = new Map<string, StorageCounters>();

function countersFor(room: string): StorageCounters {
  let counters = rooms.get(room);
  if (!counters) {
    counters = {
      writeOps: 0,
      rowsWritten: 0,
      readOps: 0,
      rowsRead: 0,
      alarmsSet: 0,
      alarmsDeleted: 0,
      alarmsFired: 0,
      storedBytes: {},
      calls: {},
    };
    rooms.set(room, counters);
  }
  return counters;
}

function jsonBytes(value: unknown): number {
  try {
    return new TextEncoder().encode(JSON.stringify(value) ?? "").byteLength;
  } catch {
    return 0;
  }
}

function keyCount(keys: unknown): number {
  if (Array.isArray(keys)) return keys.length;
  if (typeof keys === "object" && keys !== null) return Object.keys(keys).length;
  return 1;
}

/** SQL cursors count their rows as they are consumed, so they are summed when counters are read. */
const pendingCursors = new Map<string, SqlStorageCursor<Record<string, SqlStorageValue>>[]>();

function collectCursors(): void {
  for (const [room, cursors] of pendingCursors) {
    const counters = countersFor(room);
    for (const cursor of cursors) {
      counters.rowsWritten += cursor.rowsWritten;
      counters.rowsRead += cursor.rowsRead;
    }
  }
  pendingCursors.clear();
}

const READ_ONLY_SQL = /^\s*(select|pragma|explain|with\s[\s\S]*\bselect\b)/i;

function countedSql(sql: SqlStorage, room: string): SqlStorage {
  return new Proxy(sql, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property !== "exec" || typeof value !== "function") {
        return typeof value === "function" ? value.bind(target) : value;
      }
      return (query: string, ...bindings: unknown[]) => {
        const counters = countersFor(room);
        counters.calls["sql.exec"] = (counters.calls["sql.exec"] ?? 0) + 1;
        if (READ_ONLY_SQL.test(query)) counters.readOps++;
        else counters.writeOps++;
        const cursor = (value as SqlStorage["exec"]).call(target, query, ...(bindings as SqlStorageValue[]));
        const list = pendingCursors.get(room) ?? [];
        list.push(cursor);
        pendingCursors.set(room, list);
        return cursor;
      };
    },
  });
}

/** The synchronous KV API (SQLite-backed objects): counted exactly like the async get/put/delete. */
function countedKv(kv: SyncKvStorage, room: string): SyncKvStorage {
  return {
    get: <T>(key: string) => {
      const counters = countersFor(room);
      counters.calls["kv.get"] = (counters.calls["kv.get"] ?? 0) + 1;
      counters.readOps += 1;
      counters.rowsRead += 1;
      return kv.get<T>(key);
    },
    list: <T>(options?: SyncKvListOptions) => {
      const counters = countersFor(room);
      counters.calls["kv.list"] = (counters.calls["kv.list"] ?? 0) + 1;
      counters.readOps += 1;
      return kv.list<T>(options);
    },
    put: <T>(key: string, value: T) => {
      const counters = countersFor(room);
      counters.calls["kv.put"] = (counters.calls["kv.put"] ?? 0) + 1;
      counters.writeOps += 1;
      counters.rowsWritten += 1;
      counters.storedBytes[key] = jsonBytes(value);
      kv.put(key, value);
    },
    delete: (key: string) => {
      const counters = countersFor(room);
      counters.calls["kv.delete"] = (counters.calls["kv.delete"] ?? 0) + 1;
      counters.writeOps += 1;
      counters.rowsWritten += 1;
      delete counters.storedBytes[key];
      return kv.delete(key);
    },
  };
}

function countedStorage(storage: DurableObjectStorage, room: string): DurableObjectStorage {
  const count = (name: string, effect: (counters: StorageCounters) => void) => {
    const counters = countersFor(room);
    counters.calls[name] = (counters.calls[name] ?? 0) + 1;
    effect(counters);
  };
  const effects: Record<string, (args: unknown[]) => (counters: StorageCounters) => void> = {
    get: ([keys]) => (c) => ((c.readOps += 1), (c.rowsRead += keyCount(keys))),
    list: () => (c) => (c.readOps += 1),
    put: ([keys, value]) => (c) => {
      c.writeOps += 1;
      c.rowsWritten += keyCount(keys);
      const entries = typeof keys === "string" ? { [keys]: value } : (keys as Record<string, unknown>);
      for (const [key, stored] of Object.entries(entries)) c.storedBytes[key] = jsonBytes(stored);
    },
    delete: ([keys]) => (c) => {
      c.writeOps += 1;
      c.rowsWritten += keyCount(keys);
      for (const key of Array.isArray(keys) ? keys : [keys]) delete c.storedBytes[String(key)];
    },
    deleteAll: () => (c) => {
      c.writeOps += 1;
      c.storedBytes = {};
    },
    setAlarm: () => (c) => ((c.alarmsSet += 1), (c.rowsWritten += 1)),
    deleteAlarm: () => (c) => (c.alarmsDeleted += 1),
    getAlarm: () => () => undefined,
    transaction: () => () => undefined,
    transactionSync: () => () => undefined,
    sync: () => () => undefined,
  };
  return new Proxy(storage, {
    get(target, property) {
      if (property === "sql") return countedSql(target.sql, room);
      if (property === "kv") return countedKv(target.kv, room);
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      const effect = typeof property === "string" ? effects[property] : undefined;
      if (!effect) return value.bind(target);
      return (...args: unknown[]) => {
        count(property as string, effect(args));
        // A transaction's closure gets its own storage-like object: count through it as well.
        if (property === "transaction" && typeof args[0] === "function") {
          const closure = args[0] as (txn: DurableObjectTransaction) => Promise<unknown>;
          return target.transaction((txn) =>
            closure(countedStorage(txn as unknown as DurableObjectStorage, room) as unknown as DurableObjectTransaction),
          );
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

function countedState(ctx: DurableObjectState): DurableObjectState {
  const room = ctx.id.name ?? ctx.id.toString();
  return withProperty(ctx, "storage", countedStorage(ctx.storage, room));
}

export class Main extends ProductionMain {
  constructor(ctx: DurableObjectState, env: Env) {
    // The runtime's base class only accepts the real state object, so the counting proxy
    // shadows `this.ctx` after construction; PartyServer and the room reach storage through it.
    super(ctx, env);
    Object.defineProperty(this, "ctx", { value: countedState(ctx), writable: false, configurable: true });
  }

  override async alarm(): Promise<void> {
    countersFor(this.ctx.id.name ?? this.ctx.id.toString()).alarmsFired++;
    await super.alarm();
  }
}

const productionHandler: ExportedHandler<Env> = production;

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/counters") {
      collectCursors();
      return Response.json({ rooms: Object.fromEntries(rooms) });
    }
    return productionHandler.fetch!(request as Parameters<ExportedHandlerFetchHandler<Env>>[0], env, ctx);
  },
} satisfies ExportedHandler<Env>;
