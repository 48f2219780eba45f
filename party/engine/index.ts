// The Perudo rules engine: pure functions over plain data. The room calls
// apply(state, action, dice) -> { state, events } | { error }, then sends each seat viewFor().
export { apply, createGame } from "./apply";
export { viewFor } from "./view";
export { mulberry32, scriptedDice, seededDice } from "./dice";
export { countFace, formatBid, isFace, isQuantity, raiseError, timeoutBid } from "./rules";
export { activePlayers, nextActiveAfter } from "./turns";
export * from "./types";
