// The reducer: apply(state, action, dice) -> next state and events, or a refusal as a value.
// Pure: no clock, no randomness except the DiceSource passed in, and the input is never mutated
// (every change builds new objects), so a refused action leaves the caller's state untouched.
import { countFace, isFace, isQuantity, raiseError, timeoutBid } from "./rules.ts";
import { activeFrom, activePlayers, findPlayer, nextActiveAfter, nextSeatedAfter } from "./turns.ts";
import {
  ErrorCode,
  MAX_PLAYERS,
  MIN_PLAYERS,
  STARTING_DICE,
  type Action,
  type ApplyResult,
  type Bid,
  type DiceSource,
  type EngineEvent,
  type Face,
  type GameState,
  type Player,
  type PlayerId,
  type RoundResult,
} from "./types.ts";

/** An empty table: lobby, round 0, no players. */
export function createGame(): GameState {
  return {
    phase: "lobby",
    round: 0,
    hostId: null,
    players: [],
    turn: null,
    currentBid: null,
    palifico: false,
    lastRound: null,
    winnerId: null,
  };
}

function refuse(code: ErrorCode, message: string): ApplyResult {
  return { ok: false, error: { code, message } };
}

function accept(state: GameState, events: EngineEvent[]): ApplyResult {
  return { ok: true, state, events };
}

export function apply(state: GameState, action: Action, dice: DiceSource): ApplyResult {
  if (typeof action !== "object" || action === null) {
    return refuse(ErrorCode.BAD_MESSAGE, "That message isn't a game action");
  }
  switch (action.type) {
    case "join":
      return join(state, action.playerId, action.name);
    case "leave":
      return leave(state, action.playerId);
    case "start":
      return start(state, action.playerId, dice);
    case "bid":
      return bid(state, action.playerId, action.quantity, action.face);
    case "dudo":
      return call(state, action.playerId, "dudo", dice);
    case "calza":
      return call(state, action.playerId, "calza", dice);
    case "timeout":
      return timeout(state);
    default:
      return refuse(ErrorCode.BAD_MESSAGE, "That message isn't a game action");
  }
}

// ---------------------------------------------------------------------------------- seating

/** Names clash ignoring case and surrounding spaces ("Ana" and " ana " are the same seat). */
function nameKey(name: string): string {
  return name.trim().normalize("NFC").toLowerCase();
}

function join(state: GameState, playerId: PlayerId, name: string): ApplyResult {
  if (findPlayer(state.players, playerId)) {
    return refuse(ErrorCode.ALREADY_JOINED, "You already have a seat at this table");
  }
  if (state.phase === "playing") {
    return refuse(ErrorCode.WRONG_PHASE, "A game is in progress; you can join when it ends");
  }
  if (state.players.length >= MAX_PLAYERS) {
    return refuse(ErrorCode.ROOM_FULL, `The table is full (${MAX_PLAYERS} players)`);
  }
  const key = nameKey(name);
  if (state.players.some((p) => nameKey(p.name) === key)) {
    return refuse(ErrorCode.NAME_TAKEN, `Someone at this table is already called "${name.trim()}"; pick another name`);
  }
  const player: Player = { id: playerId, name, dice: [], eliminated: false, hadPalifico: false };
  return accept({ ...state, players: [...state.players, player], hostId: state.hostId ?? playerId }, []);
}

/**
 * Leaving always frees the seat, so a later restart never deals dice to someone who left.
 * Mid-game, an active player who leaves is eliminated (as if they lost their last die); an
 * already-eliminated player just stands up. When the last seat empties, the table resets.
 */
function leave(state: GameState, playerId: PlayerId): ApplyResult {
  const leaver = findPlayer(state.players, playerId);
  if (!leaver) return refuse(ErrorCode.UNKNOWN_SEAT, "You don't have a seat at this table");

  const players = state.players.filter((p) => p.id !== playerId);
  if (players.length === 0) return accept(createGame(), []);
  const hostId = state.hostId === playerId ? nextSeatedAfter(state.players, playerId) : state.hostId;

  if (state.phase !== "playing" || leaver.eliminated) {
    return accept({ ...state, players, hostId }, []);
  }

  const events: EngineEvent[] = [{ type: "player-eliminated", playerId }];
  const [survivor, ...others] = activePlayers(players);
  if (survivor && others.length === 0) {
    return accept(finish({ ...state, players, hostId }, survivor.id, events), events);
  }
  // The standing bid stays, even if it was the leaver's: the next player may raise or call it.
  let turn = state.turn;
  if (turn === playerId) {
    turn = nextActiveAfter(state.players, playerId);
    events.push({ type: "turn-changed", playerId: turn });
  }
  return accept({ ...state, players, hostId, turn }, events);
}

function finish(state: GameState, winnerId: PlayerId, events: EngineEvent[]): GameState {
  events.push({ type: "game-finished", winnerId }, { type: "turn-changed", playerId: null });
  return { ...state, phase: "finished", turn: null, currentBid: null, palifico: false, winnerId };
}

// ---------------------------------------------------------------------------------- rounds

function start(state: GameState, playerId: PlayerId, dice: DiceSource): ApplyResult {
  if (state.phase === "playing") return refuse(ErrorCode.WRONG_PHASE, "The game has already started");
  if (!findPlayer(state.players, playerId)) {
    return refuse(ErrorCode.UNKNOWN_SEAT, "You don't have a seat at this table");
  }
  if (state.hostId !== playerId) return refuse(ErrorCode.NOT_HOST, "Only the host can start the game");
  if (state.players.length < MIN_PLAYERS) {
    return refuse(
      ErrorCode.NOT_ENOUGH_PLAYERS,
      `At least ${MIN_PLAYERS} players are needed to start; ${state.players.length} seated`,
    );
  }
  // A restart (from "finished") seats everyone again with a full cup and a fresh palifico.
  const players = state.players.map((p) => ({ ...p, eliminated: false, hadPalifico: false }));
  const counts = new Map(players.map((p) => [p.id, STARTING_DICE]));
  const events: EngineEvent[] = [];
  const base: GameState = { ...state, phase: "playing", round: 0, players, lastRound: null, winnerId: null };
  return accept(startRound(base, counts, playerId, false, dice, events), events);
}

/** Rolls every active player's dice and hands the opening bid to `openerId`. */
function startRound(
  base: GameState,
  counts: ReadonlyMap<PlayerId, number>,
  openerId: PlayerId,
  palifico: boolean,
  dice: DiceSource,
  events: EngineEvent[],
): GameState {
  const players = base.players.map((p) => ({
    ...p,
    dice: p.eliminated ? [] : roll(dice, counts.get(p.id) ?? p.dice.length),
  }));
  const round = base.round + 1;
  events.push(
    { type: "round-started", round, openerId, palifico },
    { type: "turn-changed", playerId: openerId },
  );
  return { ...base, players, round, turn: openerId, currentBid: null, palifico };
}

function roll(dice: DiceSource, count: number): Face[] {
  const hand = dice(count);
  // A broken dice source is a programming error in the caller, not an illegal move.
  if (hand.length !== count || !hand.every(isFace)) {
    throw new Error(`DiceSource returned ${JSON.stringify(hand)} when asked for ${count} dice`);
  }
  return [...hand];
}

/** Shared guards for moves made on one's turn: phase, seat, still in, turn. */
function turnGuard(state: GameState, playerId: PlayerId): ApplyResult | null {
  if (state.phase === "lobby") return refuse(ErrorCode.WRONG_PHASE, "The game hasn't started yet");
  if (state.phase === "finished") {
    return refuse(ErrorCode.WRONG_PHASE, "The game is over; the host can start a new one");
  }
  const player = findPlayer(state.players, playerId);
  if (!player) return refuse(ErrorCode.UNKNOWN_SEAT, "You don't have a seat at this table");
  if (player.eliminated) return refuse(ErrorCode.NOT_YOUR_TURN, "You're out of this game: no more dice");
  if (state.turn !== playerId) {
    const current = state.turn === null ? undefined : findPlayer(state.players, state.turn);
    return refuse(ErrorCode.NOT_YOUR_TURN, current ? `It's ${current.name}'s turn` : "It's not your turn");
  }
  return null;
}

function bid(state: GameState, playerId: PlayerId, quantity: number, face: Face): ApplyResult {
  const refused = turnGuard(state, playerId);
  if (refused) return refused;
  if (!isQuantity(quantity) || !isFace(face)) {
    return refuse(ErrorCode.ILLEGAL_BID, "A bid is a whole quantity of at least 1 and a face from 1 (aces) to 6");
  }
  const bidderDice = findPlayer(state.players, playerId)?.dice.length ?? 0;
  const reason = raiseError(state.currentBid, quantity, face, { palifico: state.palifico, bidderDice });
  if (reason !== null) return refuse(ErrorCode.ILLEGAL_BID, reason);

  const turn = nextActiveAfter(state.players, playerId);
  const currentBid: Bid = { playerId, quantity, face };
  return accept({ ...state, currentBid, turn }, [{ type: "turn-changed", playerId: turn }]);
}

function timeout(state: GameState): ApplyResult {
  if (state.phase !== "playing" || state.turn === null) {
    return refuse(ErrorCode.WRONG_PHASE, "No turn is running, so there is nothing to time out");
  }
  const { quantity, face } = timeoutBid(state.currentBid);
  return bid(state, state.turn, quantity, face);
}

function call(state: GameState, playerId: PlayerId, kind: "dudo" | "calza", dice: DiceSource): ApplyResult {
  const refused = turnGuard(state, playerId);
  if (refused) return refused;
  const standing = state.currentBid;
  if (standing === null) {
    return refuse(ErrorCode.NO_BID, `There is no bid to call ${kind} on yet; open with a bid`);
  }
  if (kind === "calza") {
    if (activePlayers(state.players).length <= 2) {
      return refuse(ErrorCode.CALZA_NOT_ALLOWED, "Calza isn't allowed when only two players are left");
    }
    if (state.palifico) return refuse(ErrorCode.CALZA_NOT_ALLOWED, "Calza isn't allowed in a palifico round");
  }
  return resolve(state, kind, playerId, standing, dice);
}

/** Reveals the dice, applies the loss or gain, then finishes the game or starts the next round. */
function resolve(
  state: GameState,
  kind: "dudo" | "calza",
  callerId: PlayerId,
  standing: Bid,
  dice: DiceSource,
): ApplyResult {
  const active = activePlayers(state.players);
  const count = countFace(
    active.map((p) => p.dice),
    standing.face,
    state.palifico,
  );

  let loserId: PlayerId | null = null;
  let gainerId: PlayerId | null = null;
  if (kind === "dudo") {
    // If the bidder has left the table, a failed bid costs nobody a die.
    const bidderActive = active.some((p) => p.id === standing.playerId);
    if (count >= standing.quantity) loserId = callerId;
    else if (bidderActive) loserId = standing.playerId;
  } else if (count === standing.quantity) {
    // gainerId marks a correct calza even when the caller already holds the maximum 5 dice.
    gainerId = callerId;
  } else {
    loserId = callerId;
  }

  const result: RoundResult = {
    round: state.round,
    call: kind,
    callerId,
    bid: { ...standing },
    dice: Object.fromEntries(active.map((p) => [p.id, [...p.dice]])),
    count,
    loserId,
    gainerId,
  };
  const events: EngineEvent[] = [{ type: "round-resolved", result }];

  const nextCount = (p: Player): number => {
    if (p.id === loserId) return p.dice.length - 1;
    if (p.id === gainerId) return Math.min(STARTING_DICE, p.dice.length + 1);
    return p.dice.length;
  };
  const counts = new Map(state.players.map((p) => [p.id, nextCount(p)]));
  let players = state.players.map((p) => (counts.get(p.id) === 0 && !p.eliminated ? { ...p, eliminated: true } : p));
  const loser = loserId === null ? undefined : findPlayer(players, loserId);
  if (loser?.eliminated) events.push({ type: "player-eliminated", playerId: loser.id });

  const stillIn = activePlayers(players);
  const base: GameState = { ...state, players, lastRound: result };
  const [survivor, ...others] = stillIn;
  if (survivor && others.length === 0) {
    // Nobody rolls again: the losing die is simply removed from the final hands.
    const finalPlayers = players.map((p) => ({ ...p, dice: p.dice.slice(0, counts.get(p.id) ?? 0) }));
    return accept(finish({ ...base, players: finalPlayers }, survivor.id, events), events);
  }

  // Palifico: the first time a player is down to one die, while more than two are still in.
  let palifico = false;
  if (loser && !loser.eliminated && counts.get(loser.id) === 1 && !loser.hadPalifico && stillIn.length > 2) {
    palifico = true;
    players = players.map((p) => (p.id === loser.id ? { ...p, hadPalifico: true } : p));
  }

  // The loser opens (palifico included); after a calza the caller opens; the next seat if out.
  const openFrom = kind === "calza" ? callerId : (loserId ?? callerId);
  const openerId = activeFrom(players, openFrom) ?? survivor?.id ?? callerId;
  return accept(startRound({ ...base, players }, counts, openerId, palifico, dice, events), events);
}
