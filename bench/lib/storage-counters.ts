// What the storage-counting build of the room (bench/baseline/counted.ts, Workers side) reports at
// GET /__bench/counters and the cost section (bench/sections/cost.ts, Node side) reads: plain
// types only, so both tsconfigs can include this file.

export interface StorageCounters {
  /** Calls that change stored data: put, delete, deleteAll, and SQL that is not a read. */
  writeOps: number;
  /** Rows those calls wrote, as billed: one per key for KV calls, `rowsWritten` for SQL. */
  rowsWritten: number;
  readOps: number;
  rowsRead: number;
  alarmsSet: number;
  alarmsDeleted: number;
  /** Alarm handler invocations (each is a billed Durable Object request). */
  alarmsFired: number;
  /** Bytes of JSON last stored under each KV key (what the room keeps between wake-ups). */
  storedBytes: Record<string, number>;
  /** Every storage method called, by name. */
  calls: Record<string, number>;
}
