// fast-check generators of hostile client frames for the room protocol (party/protocol.ts):
// well-formed messages with wrong values, wrong types, huge and negative numbers, NaN/Infinity
// spellings, deep nesting, `__proto__`/`constructor` keys, unpaired surrogates and other odd
// Unicode, frames of exactly 1,024 and 1,025 bytes, binary frames and empty frames.
import fc from "fast-check";
import { CLIENT_MESSAGE_TYPES, MAX_FRAME_BYTES } from "../../party/protocol.ts";

/** One frame as the socket sends it: text, or binary bytes. */
export type Frame = { kind: "text"; text: string; family: FrameFamily } | { kind: "binary"; bytes: Uint8Array; family: FrameFamily };

export type FrameFamily =
  | "wrong-values"
  | "wrong-types"
  | "number-spellings"
  | "deep-nesting"
  | "prototype-keys"
  | "odd-unicode"
  | "size-edge"
  | "binary"
  | "empty"
  | "random-json"
  | "random-text";

const text = (family: FrameFamily) => (value: string): Frame => ({ kind: "text", text: value, family });
const json = (value: unknown) => JSON.stringify(value);

const type = fc.constantFrom(...CLIENT_MESSAGE_TYPES);

/** Numbers a client could put where a small positive integer belongs. */
const wrongNumber = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 0 }),
  fc.integer({ min: 7, max: 2 ** 31 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, -0, 0.5, 3.5, 1e21, 1e-7),
);

/** Strings that are not a valid name: empty, blank, too long, control characters. */
const wrongName = fc.oneof(
  fc.constantFrom("", " ", "\t", "   \n  ", "a".repeat(21), "b".repeat(200), "c".repeat(201), "ana\u0000", "\u0007bell", "x\u001by", "\u007f", "tab\there"),
  fc.string({ minLength: 21, maxLength: 60 }),
);

/** Odd Unicode, as a JS string (ws sends it as UTF-8; a lone surrogate becomes U+FFFD on the wire). */
const oddCharacter = fc.constantFrom(
  "\ud800", "\udfff", "\udbff", "\ud83c", "\ufeff", "\u202e", "\u200d", "\u200b", "e\u0301", "\u0301", "🎲", "👩‍👩‍👧",
  "\uffff", "\ufffe", "\u2028", "\u2029", "\u00a0", "Ａ", "ß", "İ", "\u{10ffff}", "\u{e0001}",
);
const oddString = fc.array(fc.oneof(oddCharacter, fc.string({ maxLength: 3 })), { minLength: 1, maxLength: 12 }).map((parts) => parts.join(""));

/** JSON escapes that decode to unpaired surrogates and other odd code units (ASCII on the wire). */
const escapedOddString = fc
  .array(fc.constantFrom("\\ud800", "\\udfff", "\\udc00\\ud800", "\\ud83c", "\\u0000", "\\u001f", "\\ufeff", "\\u202e", "a", "Ana"), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => `"${parts.join("")}"`);

const wrongValues = fc.oneof(
  fc.record({ type: fc.constant("join"), name: wrongName }).map(json),
  fc.record({ type: fc.constant("rejoin"), seatToken: fc.oneof(fc.constantFrom("", "x".repeat(201)), fc.base64String({ maxLength: 60 })) }).map(json),
  fc.record({ type: fc.constant("bid"), quantity: wrongNumber, face: fc.oneof(wrongNumber, fc.integer({ min: 1, max: 6 })) }).map(json),
  fc.record({ type: fc.constant("bid"), quantity: fc.integer({ min: 1, max: 40 }), face: wrongNumber }).map(json),
  // Right shape, wrong moment or wrong sender: refused by the rules, not the parser.
  fc.record({ type: fc.constantFrom("start", "dudo", "calza", "bid"), quantity: fc.integer({ min: 1, max: 3 }), face: fc.integer({ min: 1, max: 6 }) }).map(json),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("JOIN", "Bid", " ping", "ping ", "pingx", "")) }).map(json),
);

const wrongTypeValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.string({ maxLength: 10 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 3 }),
  fc.integer(),
);
const wrongTypes = fc.oneof(
  fc.record({ type: wrongTypeValue }).map(json),
  fc.record({ type: fc.constant("join"), name: wrongTypeValue }).map(json),
  fc.record({ type: fc.constant("rejoin"), seatToken: wrongTypeValue }).map(json),
  fc.record({ type: fc.constant("bid"), quantity: wrongTypeValue, face: wrongTypeValue }).map(json),
  fc.record({ type: fc.constant("bid"), quantity: fc.integer({ min: 1, max: 3 }).map(String), face: fc.constant("3") }).map(json),
  fc.oneof(fc.constant("null"), fc.constant("[]"), fc.constant('"ping"'), fc.constant("42"), fc.constant("true"), fc.constant('[{"type":"ping"}]')),
);

/** Number spellings in the JSON text itself: some invalid JSON, some parse to Infinity or 100. */
const numberSpelling = fc.constantFrom(
  "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e-999", "0x10", "1_000", "+1", "01", "1.", ".5", "-0", "9007199254740993",
  "1E2", "3.0", "3e0", "-3", "1e308", "2.9999999999999999",
);
const numberSpellings = fc
  .tuple(numberSpelling, numberSpelling)
  .map(([quantity, face]) => `{"type":"bid","quantity":${quantity},"face":${face}}`);

const deepNesting = fc.tuple(fc.integer({ min: 2, max: 700 }), fc.constantFrom("array", "object", "name", "type")).map(([depth, shape]) => {
  switch (shape) {
    case "array":
      return "[".repeat(depth) + "]".repeat(depth);
    case "object":
      return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
    case "name":
      return `{"type":"join","name":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    default:
      return `{"type":${'{"type":'.repeat(depth)}"ping"${"}".repeat(depth)}}`;
  }
});

const dangerousKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__");
const prototypeKeys = fc.oneof(
  fc.tuple(dangerousKey, fc.constantFrom('{"type":"bid","quantity":1,"face":2}', '{"polluted":true}', "null", "1", '"join"'), fc.constantFrom(...CLIENT_MESSAGE_TYPES))
    .map(([key, value, t]) => `{"${key}":${value},"type":"${t}"}`),
  fc.tuple(dangerousKey, fc.constantFrom('{"type":"ping"}', '{"name":"Eve"}', '{"prototype":{"x":1}}'))
    .map(([key, value]) => `{"${key}":${value}}`),
  dangerousKey.map((key) => `{"type":"${key}"}`),
  dangerousKey.map((key) => `{"type":"join","name":{"${key}":"Eve"}}`),
  dangerousKey.map((key) => `{"type":"bid","quantity":{"${key}":3},"face":3}`),
  fc.constantFrom(
    '{"type":"join","name":"Eve","__proto__":{"type":"start"}}',
    '{"__proto__":{"__proto__":{"type":"ping"}}}',
    '{"type":"ping","constructor":{"prototype":{"isAdmin":true}}}',
  ),
);

const oddUnicode = fc.oneof(
  fc.record({ type: fc.constant("join"), name: oddString }).map(json),
  fc.record({ type: fc.constant("rejoin"), seatToken: oddString }).map(json),
  fc.record({ type: oddString }).map(json),
  escapedOddString.map((value) => `{"type":"join","name":${value}}`),
  escapedOddString.map((value) => `{"type":${value}}`),
  oddString,
);

/** A text frame of exactly `bytes` UTF-8 bytes: a message with a filler field. */
function frameOfBytes(bytes: number, message: string, filler: string): string {
  const open = `${message.slice(0, -1)},"pad":"`;
  const close = `"}`;
  const encoder = new TextEncoder();
  let pad = "";
  const room = bytes - encoder.encode(open + close).byteLength;
  const fillerBytes = encoder.encode(filler).byteLength;
  while (encoder.encode(pad).byteLength + fillerBytes <= room) pad += filler;
  pad += "x".repeat(room - encoder.encode(pad).byteLength);
  const frame = open + pad + close;
  if (encoder.encode(frame).byteLength !== bytes) throw new Error(`frameOfBytes: built ${encoder.encode(frame).byteLength} bytes`);
  return frame;
}
const sizeEdge = fc
  .tuple(
    fc.constantFrom(MAX_FRAME_BYTES - 1, MAX_FRAME_BYTES, MAX_FRAME_BYTES + 1, MAX_FRAME_BYTES * 4),
    fc.constantFrom('{"type":"ping"}', '{"type":"dudo"}', '{"type":"join","name":"Ana"}', '{"type":"bid","quantity":1,"face":9}'),
    fc.constantFrom("x", "é", "€", "🎲", " "),
  )
  .map(([bytes, message, filler]) => frameOfBytes(bytes, message, filler));

const binary = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(
    new TextEncoder().encode('{"type":"ping"}'),
    new TextEncoder().encode('{"type":"join","name":"Bin"}'),
    new Uint8Array(0),
    new Uint8Array(MAX_FRAME_BYTES + 1).fill(0x20),
  ),
);

/** Every hostile frame family, about equally often. */
export const hostileFrame: fc.Arbitrary<Frame> = fc.oneof(
  wrongValues.map(text("wrong-values")),
  wrongTypes.map(text("wrong-types")),
  numberSpellings.map(text("number-spellings")),
  deepNesting.map(text("deep-nesting")),
  prototypeKeys.map(text("prototype-keys")),
  oddUnicode.map(text("odd-unicode")),
  sizeEdge.map(text("size-edge")),
  binary.map((bytes): Frame => ({ kind: "binary", bytes, family: "binary" })),
  fc.constantFrom<Frame>({ kind: "text", text: "", family: "empty" }, { kind: "binary", bytes: new Uint8Array(0), family: "empty" }),
  fc.json({ maxDepth: 3 }).map(text("random-json")),
  fc.string({ maxLength: 40 }).map(text("random-text")),
);

/** A short printable description of a frame, for failure reports. */
export function describeFrame(frame: Frame): string {
  if (frame.kind === "binary") return `binary[${frame.bytes.byteLength}] (${frame.family})`;
  const shown = frame.text.length > 160 ? `${frame.text.slice(0, 160)}... (${frame.text.length} chars)` : frame.text;
  return `${JSON.stringify(shown)} (${frame.family})`;
}
