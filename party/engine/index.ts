// The Perudo rules engine: pure functions over plain data. The room calls
// apply(state, action, dice) -> { state, events } | { error }, then sends each seat viewFor().
export { apply, createGame } from "./apply.ts";
export { viewFor } from "./view.ts";
export { mulberry32, scriptedDice, seededDice } from "./dice.ts";
export { countFace, formatBid, isFace, isQuantity, raiseError, timeoutBid } from "./rules.ts";
export { activePlayers, nextActiveAfter } from "./turns.ts";
export * from "./types.ts";
