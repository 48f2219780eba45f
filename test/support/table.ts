// Helpers for integration tests that seat several WebSocket clients at one table.
import { expect } from "vitest";
import type { ClientMessage, ErrorCode, StateView } from "../../party/protocol.ts";
import { TestClient, roomUrl } from "./ws-client.ts";

export interface Seat {
  client: TestClient;
  playerId: string;
  seatToken: string;
  name: string;
}

/** Tracks every client a test opens, so afterEach can close them all. */
export class ClientPool {
  readonly #clients: TestClient[] = [];

  async connect(
    baseUrl: string,
    room: string,
    label: string,
    layout: "parties" | "party" = "parties",
    options: { pace?: boolean } = {},
  ): Promise<TestClient> {
    const client = await TestClient.connect(roomUrl(baseUrl, room, layout), { label, ...options });
    this.#clients.push(client);
    return client;
  }

  async seat(baseUrl: string, room: string, name: string, layout: "parties" | "party" = "parties"): Promise<Seat> {
    const client = await this.connect(baseUrl, room, name, layout);
    const { playerId, seatToken } = await client.join(name);
    return { client, playerId, seatToken, name };
  }

  /** Seats `names` in order (the first is the host). */
  async table(baseUrl: string, room: string, names: string[]): Promise<Seat[]> {
    const seats: Seat[] = [];
    for (const name of names) seats.push(await this.seat(baseUrl, room, name));
    return seats;
  }

  track(client: TestClient): TestClient {
    this.#clients.push(client);
    return client;
  }

  get clients(): readonly TestClient[] {
    return this.#clients;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.splice(0).map((client) => client.close()));
  }
}

/** The host starts the game; resolves with every seat's first playing state. */
export async function startGame(seats: Seat[]): Promise<StateView[]> {
  seats[0]!.client.send({ type: "start" });
  return Promise.all(seats.map((seat) => seat.client.state((s) => s.phase === "playing" && s.round === 1)));
}

/**
 * Sends `message`, expects an `error` with `code` and human text, and checks that nothing
 * changed: neither the sender nor `others` receive a new state.
 */
export async function expectRefused(
  sender: TestClient,
  message: ClientMessage | Record<string, unknown>,
  code: ErrorCode,
  others: TestClient[] = [],
): Promise<string> {
  const watching = [...new Set([sender, ...others])];
  for (const client of watching) await client.sync(); // start from a quiet table
  const error = await sender.expectError(message);
  expect(error.code, `${JSON.stringify(message)}: ${error.message}`).toBe(code);
  expect(error.message).toMatch(/\w/);
  expect(error.message).not.toMatch(/\n\s+at |\.ts:\d+/); // human text, never a stack trace
  for (const client of watching) {
    const arrived = await client.sync();
    expect(arrived.filter((m) => m.type === "state"), `${client.label} got a state after a refused action`).toEqual([]);
  }
  return error.message;
}

/**
 * Dice privacy: every state a client received shows its own dice only (as `you`), and other
 * players' dice only inside `lastRound`.
 */
export function expectPrivateStates(client: TestClient, ownId: string | null): void {
  const states = client.received.flatMap((m) => (m.type === "state" ? [m.state] : []));
  expect(states.length).toBeGreaterThan(0);
  for (const state of states) {
    // A connection sees no hand (spectator, or not yet rejoined) or its own, never another's.
    if (state.you !== null) expect(state.you.id).toBe(ownId);
    const { you: _you, lastRound: _lastRound, ...rest } = state;
    expect(JSON.stringify(rest)).not.toMatch(/"dice"/);
    for (const player of state.players) expect(Object.keys(player).sort()).toEqual(["connected", "diceCount", "eliminated", "id", "name"]);
  }
}
