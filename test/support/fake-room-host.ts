// An in-process host for PerudoRoom (party/room/room.ts): sockets, storage and clock as plain
// objects, with counters, so tests can check what the room writes and when it wakes up.
import { seededDice } from "../../party/engine/index.ts";
import type { ServerMessage } from "../../party/protocol.ts";
import type { RoomDocument } from "../../party/room/document.ts";
import type { RoomConnection, RoomHost, RoomStorage } from "../../party/room/room.ts";

export class FakeConnection implements RoomConnection {
  seat: string | null = null;
  open = true;
  readonly frames: string[] = [];
  closedWith: { code: number; reason: string } | null = null;

  readonly id: string;
  constructor(id: string) {
    this.id = id;
  }

  bind(seat: string | null): void {
    this.seat = seat;
  }
  send(frame: string): void {
    if (this.open) this.frames.push(frame);
  }
  close(code: number, reason: string): void {
    this.open = false;
    this.closedWith = { code, reason };
  }

  get messages(): ServerMessage[] {
    return this.frames.map((frame) => JSON.parse(frame) as ServerMessage);
  }
  /** The last message of `type` received, if any. */
  last<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }> | undefined {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type).at(-1);
  }
}

export class CountingStorage implements RoomStorage {
  puts = 0;
  setAlarms: number[] = [];
  deletes = 0;
  /** What load() returns: the saved document, or any record a test puts there (old or damaged). */
  stored: RoomDocument | undefined;
  /** Records kept aside with keep(), by key. */
  readonly kept = new Map<string, unknown>();
  alarm: number | null = null;

  async load(): Promise<unknown> {
    return this.stored === undefined ? undefined : structuredClone(this.stored);
  }
  keep(key: string, record: unknown): void {
    this.kept.set(key, structuredClone(record));
  }
  save(document: RoomDocument): void {
    this.puts++;
    this.stored = structuredClone(document);
  }
  async deleteAll(): Promise<void> {
    this.deletes++;
    this.stored = undefined;
    this.alarm = null;
  }
  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }
  setAlarm(at: number): void {
    this.setAlarms.push(at);
    this.alarm = at;
  }
  /** Writes of any kind so far (document puts, alarm changes, deletions). */
  get writes(): number {
    return this.puts + this.setAlarms.length + this.deletes;
  }
}

export class FakeRoomHost implements RoomHost {
  readonly storage = new CountingStorage();
  readonly sockets: FakeConnection[] = [];
  clock = Date.UTC(2026, 10, 26, 12, 0, 0);
  dice = seededDice(7);
  #nextId = 0;

  connections(): Iterable<RoomConnection> {
    return this.sockets.filter((socket) => socket.open);
  }
  now(): number {
    return this.clock;
  }
  /** A new open socket (not yet announced to the room: call room.connect). */
  socket(): FakeConnection {
    const socket = new FakeConnection(`c${this.#nextId++}`);
    this.sockets.push(socket);
    return socket;
  }
}
