// Node entry point: the same client, with a WebSocket that can send an Origin header (browsers
// send their page's origin themselves; Node's sockets send none, and a server with an
// ALLOWED_ORIGINS list refuses those with 403). Uses the `ws` package.
import WebSocket from "ws";
import { connect as connectClient, type ConnectOptions, type PerudoClient } from "./index.ts";

export * from "./index.ts";

/** A WebSocket constructor for partysocket whose sockets send `Origin: origin` (if given). */
export function nodeWebSocket(origin?: string) {
  return class OriginWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, origin ? { origin } : {});
    }
  };
}

/** `connect` for Node: sockets (and the /health probe) send `origin` when one is given. */
export function connectFromNode(options: Omit<ConnectOptions, "WebSocket">): PerudoClient {
  return connectClient({ ...options, WebSocket: nodeWebSocket(options.origin) });
}
