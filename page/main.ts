// The play page: plain DOM over the client library. Served by the Worker itself (static assets)
// at `/`; talks to the same host unless `?server=host:port` says otherwise.
import { connect, type ClientStatus, type PerudoClient, type StateView } from "../client/index.ts";
import type { Face } from "../party/engine/types.ts";

const STATUS_TEXT: Record<ClientStatus, string> = {
  connecting: "Connecting…",
  rejoining: "Taking your seat back…",
  ready: "Connected",
  "taken-over": "Your seat is now played in another tab or device. This page has stopped.",
  refused: "This page's origin is refused by the server (ALLOWED_ORIGINS).",
  unreachable: "The server can't be reached. Retrying…",
  incompatible: "This page is too old for the server: reload it.",
  closed: "Disconnected",
};
const DIE_FACES = ["", "⚀", "⚁", "⚂", "⚃", "⚄", "⚅"];

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no #${id}`);
  return element as T;
};

const params = new URLSearchParams(location.search);
const serverHost = params.get("server") ?? location.host;
const roomInput = $<HTMLInputElement>("room");
const nameInput = $<HTMLInputElement>("name");
let client: PerudoClient | null = null;
let countdown: ReturnType<typeof setInterval> | undefined;

roomInput.value = params.get("room") ?? "";
nameInput.value = sessionStorage.getItem("perudo-vibe:name") ?? "";

$<HTMLFormElement>("enter").addEventListener("submit", (event) => {
  event.preventDefault();
  enter(roomInput.value.trim(), nameInput.value.trim());
});

// A reload (or a tab opened from this one) with a room in the URL goes straight back to it.
const rememberedRoom = params.get("room");
if (rememberedRoom && nameInput.value) enter(rememberedRoom, nameInput.value);

function enter(room: string, name: string): void {
  if (!room || !name) return;
  sessionStorage.setItem("perudo-vibe:name", name);
  const url = new URL(location.href);
  url.searchParams.set("room", room);
  history.replaceState(null, "", url);
  client?.close();
  const current = connect({ host: serverHost, room });
  client = current;
  $("enter").hidden = true;
  $("table").hidden = false;
  $("room-name").textContent = room;
  current.on("status", (status) => {
    showStatus(status);
    // Not seated once connected: take a seat with the name given.
    if (status === "ready" && current.playerId === null && current.state?.you == null) void act(current.join(name));
  });
  current.on("state", render);
  current.on("unseated", ({ reason }) => notice(reason));
  current.on("notice", ({ message }) => notice(message));
  showStatus(current.status);
  wireControls(current);
}

function wireControls(current: PerudoClient): void {
  const bind = (id: string, handler: () => void) => {
    const element = $(id);
    const fresh = element.cloneNode(true) as HTMLElement; // drop listeners of a previous room
    element.replaceWith(fresh);
    fresh.addEventListener(fresh instanceof HTMLFormElement ? "submit" : "click", (event) => {
      event.preventDefault();
      handler();
    });
  };
  bind("controls", () => {
    const quantity = Number($<HTMLInputElement>("quantity").value);
    const face = Number($<HTMLSelectElement>("face").value) as Face;
    void act(current.bid(quantity, face));
  });
  bind("dudo-button", () => void act(current.dudo()));
  bind("calza-button", () => void act(current.calza()));
  bind("start-button", () => void act(current.start()));
  bind("leave-button", () => void act(current.leave()));
}

async function act(result: ReturnType<PerudoClient["bid"]>): Promise<void> {
  const outcome = await result;
  notice(outcome.ok ? "" : outcome.message);
}

function notice(text: string): void {
  $("notice").textContent = text;
}

function showStatus(status: ClientStatus): void {
  const element = $("status");
  element.textContent = STATUS_TEXT[status];
  element.dataset["status"] = status;
}

function nameOf(state: StateView, id: string | null): string {
  return state.players.find((p) => p.id === id)?.name ?? "someone";
}

function render(state: StateView): void {
  const me = state.you?.id ?? null;
  $("round").textContent = state.phase === "lobby" ? "waiting to start" : `round ${state.round}`;

  const players = $("players");
  players.replaceChildren(
    ...state.players.map((player) => {
      const item = document.createElement("li");
      item.dataset["turn"] = String(player.id === state.turn);
      item.dataset["connected"] = String(player.connected);
      item.dataset["eliminated"] = String(player.eliminated);
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = `${player.id === state.turn ? "▶ " : ""}${player.name}${player.id === me ? " (you)" : ""}${player.id === state.hostId ? " ★" : ""}`;
      const dice = document.createElement("span");
      dice.className = "dice-count";
      dice.textContent = `${player.diceCount} ${player.diceCount === 1 ? "die" : "dice"}`;
      item.append(name, dice);
      return item;
    }),
  );

  const dice = $("dice");
  dice.textContent = state.you && state.you.dice.length > 0 ? state.you.dice.map((f) => DIE_FACES[f]).join(" ") : "–";
  dice.dataset["faces"] = state.you?.dice.join(",") ?? "";

  const bid = state.currentBid;
  $("bid").textContent = bid
    ? `Bid: ${bid.quantity} × ${bid.face === 1 ? "aces" : bid.face} by ${nameOf(state, bid.playerId)}${state.palifico ? " (palifico)" : ""}`
    : state.phase === "playing"
      ? `No bid yet${state.palifico ? " (palifico round: aces are not wild)" : ""}`
      : "";

  const myTurn = state.phase === "playing" && state.turn !== null && state.turn === me;
  for (const id of ["bid-button", "quantity", "face"]) ($(id) as HTMLButtonElement).disabled = !myTurn;
  ($("dudo-button") as HTMLButtonElement).disabled = !myTurn || bid === null;
  ($("calza-button") as HTMLButtonElement).disabled = !myTurn || bid === null;
  const canStart = state.hostId === me && me !== null && state.phase !== "playing" && state.players.length >= 2;
  $("start-button").hidden = !canStart;
  if (state.phase === "finished") $("start-button").textContent = "Play again";
  $("leave-button").hidden = me === null;
  if (myTurn && bid) {
    // Suggest the smallest plain raise: one more of the same face.
    $<HTMLInputElement>("quantity").value = String(bid.quantity + 1);
    $<HTMLSelectElement>("face").value = String(bid.face);
  }

  renderTurn(state, myTurn);
  renderLastRound(state);

  const winner = $("winner");
  winner.hidden = state.winnerId === null;
  winner.textContent = state.winnerId === null ? "" : `${nameOf(state, state.winnerId)} wins!`;
}

function renderTurn(state: StateView, myTurn: boolean): void {
  clearInterval(countdown);
  const turn = $("turn");
  if (state.phase !== "playing" || state.turn === null) {
    turn.textContent = "";
    return;
  }
  const who = myTurn ? "Your turn" : `${nameOf(state, state.turn)}'s turn`;
  const tick = () => {
    const left = client?.turnTimeLeft();
    turn.textContent = left == null ? `${who} (clock paused)` : `${who} · ${Math.ceil(left / 1000)} s`;
  };
  tick();
  countdown = setInterval(tick, 250);
}

function renderLastRound(state: StateView): void {
  const section = $("last-round");
  const last = state.lastRound;
  section.hidden = last === null;
  if (!last) return;
  const face = last.bid.face === 1 ? "aces" : `${last.bid.face}s`;
  const outcome =
    last.gainerId !== null
      ? `${nameOf(state, last.gainerId)} was exactly right and wins a die back`
      : last.loserId !== null
        ? `${nameOf(state, last.loserId)} loses a die`
        : "nobody loses a die";
  $("last-round-summary").textContent =
    `Round ${last.round}: ${nameOf(state, last.callerId)} called ${last.call} on ${last.bid.quantity} × ${face}. ` +
    `There were ${last.count}: ${outcome}.`;
  $("last-round-dice").replaceChildren(
    ...Object.entries(last.dice).map(([id, faces]) => {
      const item = document.createElement("li");
      item.textContent = `${nameOf(state, id)}: ${faces.map((f) => DIE_FACES[f]).join(" ")}`;
      return item;
    }),
  );
}
