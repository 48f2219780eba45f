// The wire protocol between perudo-vibe clients and a room, version 1.1 (docs/protocol.md).
// Client messages are parsed with zod (zod/mini); server messages are plain typed values. The room is the
// only producer of server messages and the only consumer of client messages.
// zod/mini: the tree-shakable build of zod 4 (the classic one was 93% of the Worker bundle). It
// loads no locale by itself, so English is registered here to keep the same issue messages.
import * as z from "zod/mini";
import { en } from "zod/locales";
import {
  ErrorCode as EngineErrorCode,
  MAX_NAME_LENGTH,
  type Bid,
  type Face,
  type Phase,
  type PlayerId,
  type RoundResult,
} from "./engine/types.ts";

/** Major version: bumped only by a change that breaks a deployed client. Sent in `welcome`. */
export const PROTOCOL_VERSION = 1;
/**
 * Minor version: bumped by additive changes (new fields, new codes) a 1.0 client can ignore.
 * Sent in `welcome` as `minor`; absent means 0. See the changelog in docs/protocol.md.
 */
export const PROTOCOL_MINOR = 1;

/** A text frame larger than this (in UTF-8 bytes) is refused with BAD_MESSAGE. */
export const MAX_FRAME_BYTES = 1024;
/** Messages a connection may send per rolling one-second window; the excess is refused. */
export const MAX_MESSAGES_PER_SECOND = 10;
/** Room ids: what may follow `/parties/main/` or `/party/`. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Every `error.code` a client can receive: the engine's codes (rules), plus the room's own:
 * - NOT_SEATED (1.1): this connection holds no seat yet (join or rejoin first). The seat token a
 *   client keeps is NOT in question; UNKNOWN_SEAT is only ever about a token.
 * - ROOM_RESET (1.1): the room's stored game could not be read; it starts again as an empty lobby
 *   (the old record is kept for the operators). Sent on connect until someone joins.
 * - INTERNAL: the server itself failed (a bug, never the client's fault; nothing changed).
 */
export const ErrorCode = { ...EngineErrorCode, NOT_SEATED: "NOT_SEATED", ROOM_RESET: "ROOM_RESET", INTERNAL: "INTERNAL" } as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the room uses (4000-4999 is the application range). */
export const CloseCode = {
  /** This seat was reclaimed by a `rejoin` on another connection. Do not auto-rejoin. */
  SEAT_TAKEN_OVER: 4001,
  /**
   * The room was full and a seated player needed a place: this connection had no seat and was
   * the oldest such. Reconnect later as a spectator, or `rejoin` right away if you hold a seat.
   */
  ROOM_FULL: 4002,
  /** The server failed while setting up the connection. Reconnecting may help. */
  INTERNAL: 1011,
} as const;

// ---------------------------------------------------------------------------------------------
// Client -> server

// Control characters in a name would let one player garble everyone else's table display.
const CONTROL_CHARACTERS = /\p{Cc}/u;

const playerName = z
  .pipe(
    z.string().check(z.maxLength(200)),
    z.transform((name: string) => name.trim()),
  )
  .check(
    z.refine((name: string) => name.length >= 1 && name.length <= MAX_NAME_LENGTH, {
      message: `name must be 1 to ${MAX_NAME_LENGTH} characters after trimming`,
    }),
    z.refine((name: string) => !CONTROL_CHARACTERS.test(name), {
      message: "name must not contain control characters",
    }),
  );

const face = z.pipe(
  z.number().check(z.int(), z.minimum(1), z.maximum(6)),
  z.transform((value: number) => value as Face),
);

export const ClientMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("join"), name: playerName }),
  z.object({ type: z.literal("rejoin"), seatToken: z.string().check(z.minLength(1), z.maxLength(200)) }),
  z.object({ type: z.literal("start") }),
  z.object({ type: z.literal("bid"), quantity: z.number().check(z.int(), z.minimum(1)), face }),
  z.object({ type: z.literal("dudo") }),
  z.object({ type: z.literal("calza") }),
  z.object({ type: z.literal("leave") }),
  z.object({ type: z.literal("ping") }),
]);
export type ClientMessage = z.output<typeof ClientMessageSchema>;
export type ClientMessageType = ClientMessage["type"];

export type ParsedFrame =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: typeof ErrorCode.BAD_MESSAGE; message: string };

z.config(en());

const utf8 = new TextEncoder();

/** Turns one raw WebSocket frame into a client message, or says (in human text) why not. */
export function parseClientFrame(frame: string | ArrayBuffer | ArrayBufferView): ParsedFrame {
  const refuse = (message: string): ParsedFrame => ({ ok: false, code: ErrorCode.BAD_MESSAGE, message });
  if (typeof frame !== "string") return refuse("Binary frames are not accepted: send JSON text");
  // A UTF-8 byte is at least one UTF-16 unit, so the cheap length check never refuses early.
  if (frame.length > MAX_FRAME_BYTES || utf8.encode(frame).byteLength > MAX_FRAME_BYTES) {
    return refuse(`Messages are limited to ${MAX_FRAME_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(frame);
  } catch {
    return refuse("Messages must be JSON");
  }
  const parsed = z.safeParse(ClientMessageSchema, json);
  if (!parsed.success) return refuse(describeIssue(json, parsed.error));
  return { ok: true, message: parsed.data };
}

function describeIssue(json: unknown, error: z.core.$ZodError): string {
  const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
  const issue = error.issues[0];
  if (typeof type !== "string" || !issue || (issue.path.length === 1 && issue.path[0] === "type")) {
    return `Unknown message type; expected one of: ${CLIENT_MESSAGE_TYPES.join(", ")}`;
  }
  const field = issue.path.join(".");
  return field ? `Invalid "${type}" message: ${field}: ${issue.message}` : `Invalid "${type}" message`;
}

export const CLIENT_MESSAGE_TYPES = [
  "join",
  "rejoin",
  "start",
  "bid",
  "dudo",
  "calza",
  "leave",
  "ping",
] as const satisfies readonly ClientMessageType[];

// ---------------------------------------------------------------------------------------------
// Server -> client

export interface PlayerView {
  id: PlayerId;
  name: string;
  diceCount: number;
  /** At least one open socket holds this seat right now. */
  connected: boolean;
  eliminated: boolean;
}

/** What one connection sees: its own dice only; others' dice only inside `lastRound`. */
export interface StateView {
  room: string;
  phase: Phase;
  round: number;
  hostId: PlayerId | null;
  players: PlayerView[];
  you: { id: PlayerId; dice: Face[] } | null;
  turn: PlayerId | null;
  currentBid: Bid | null;
  palifico: boolean;
  /** The most recently resolved round; `lastRound.round` (1.1) says which round it was. */
  lastRound: RoundResult | null;
  winnerId: PlayerId | null;
  /** Epoch milliseconds when the turn timer acts for `turn`; null when no turn is running. */
  turnDeadline: number | null;
  /** (1.1) The server's clock (epoch ms) when this state was sent: count down `turnDeadline - serverTime`. */
  serverTime: number;
}

export type ServerMessage =
  | { type: "welcome"; protocol: typeof PROTOCOL_VERSION; minor: typeof PROTOCOL_MINOR; room: string }
  | { type: "joined"; playerId: PlayerId; seatToken: string }
  | { type: "state"; state: StateView }
  | { type: "error"; code: ErrorCode; message: string }
  | { type: "pong" };

/** GET /parties/main/<roomId>: who is at the table, without dice or tokens. */
export interface RoomSummary {
  room: string;
  phase: Phase;
  players: { name: string; diceCount: number; connected: boolean }[];
}
