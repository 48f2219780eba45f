// Schemas for the server -> client messages of party/protocol.ts, for clients that validate what
// they receive (client/). The Worker never imports this file: it only produces these messages,
// and its bundle stays small. The types stay defined once, in protocol.ts; the checks at the end
// of this file make the type checker fail if a schema and its type ever disagree.
import * as z from "zod/mini";
import { CloseCode, ErrorCode, PROTOCOL_VERSION, type ServerMessage, type StateView } from "./protocol.ts";
import type { Face } from "./engine/types.ts";

export { CloseCode, ErrorCode, PROTOCOL_VERSION };

const face = z.pipe(
  z.number().check(z.int(), z.minimum(1), z.maximum(6)),
  z.transform((value: number) => value as Face),
);
const count = z.number().check(z.int(), z.minimum(0));
const bid = z.object({ playerId: z.string(), quantity: count, face });

export const StateViewSchema = z.object({
  room: z.string(),
  phase: z.enum(["lobby", "playing", "finished"]),
  round: count,
  hostId: z.nullable(z.string()),
  players: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      diceCount: count,
      connected: z.boolean(),
      eliminated: z.boolean(),
    }),
  ),
  you: z.nullable(z.object({ id: z.string(), dice: z.array(face) })),
  turn: z.nullable(z.string()),
  currentBid: z.nullable(bid),
  palifico: z.boolean(),
  lastRound: z.nullable(
    z.object({
      round: count,
      call: z.enum(["dudo", "calza"]),
      callerId: z.string(),
      bid,
      dice: z.record(z.string(), z.array(face)),
      count,
      loserId: z.nullable(z.string()),
      gainerId: z.nullable(z.string()),
    }),
  ),
  winnerId: z.nullable(z.string()),
  turnDeadline: z.nullable(z.number()),
  serverTime: z.number(),
});

const errorCodes = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];

export const ServerMessageSchema = z.discriminatedUnion("type", [
  // `minor` is optional on the wire: a 1.0 server does not send it (it means 0).
  z.object({ type: z.literal("welcome"), protocol: z.literal(PROTOCOL_VERSION), minor: z.optional(count), room: z.string() }),
  z.object({ type: z.literal("joined"), playerId: z.string(), seatToken: z.string() }),
  z.object({ type: z.literal("state"), state: StateViewSchema }),
  z.object({ type: z.literal("error"), code: z.enum(errorCodes), message: z.string() }),
  z.object({ type: z.literal("pong") }),
]);

/** What a client can rely on after validation (a 1.0 server's welcome has no `minor`). */
export type ReceivedMessage = z.output<typeof ServerMessageSchema>;

/** One raw frame -> a validated server message, or why not (human text). */
export function parseServerFrame(data: unknown): { ok: true; message: ReceivedMessage } | { ok: false; reason: string } {
  if (typeof data !== "string") return { ok: false, reason: "binary frame" };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = z.safeParse(ServerMessageSchema, json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: issue ? `${issue.path.join(".") || "(message)"}: ${issue.message}` : "invalid message" };
  }
  return { ok: true, message: parsed.data };
}

// ---------------------------------------------------------------------------------------------
// Compile-time agreement with protocol.ts: each direction must be assignable.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type WithOptionalMinor<T> = T extends { type: "welcome" } ? Omit<T, "minor"> & { minor?: number } : T;
const stateAgrees: Same<z.output<typeof StateViewSchema>, StateView> = true;
const messagesAgree: Same<ReceivedMessage, WithOptionalMinor<ServerMessage>> = true;
void stateAgrees;
void messagesAgree;
