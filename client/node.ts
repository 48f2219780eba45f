// Node entry point: the same client, with a WebSocket that can send an Origin header (browsers
// send their page's origin themselves; Node's sockets send none, and a server with an
// ALLOWED_ORIGINS list refuses those with 403). Uses the `ws` package.
import WebSocket from "ws";
import { connect as connectClient, type ConnectOptions, type PerudoClient } from "./index.ts";

export * from "./index.ts";

export interface NodeSocketOptions {
  /** Sent as `Origin` on every upgrade (the server's ALLOWED_ORIGINS decides). */
  origin?: string | undefined;
  /** Extra upgrade headers, e.g. a proxy's own auth header. */
  headers?: Record<string, string> | undefined;
}

/** A WebSocket constructor for partysocket whose sockets send `origin` and `headers`. */
export function nodeWebSocket(options: NodeSocketOptions = {}) {
  const { origin, headers } = options;
  return class OriginWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { ...(origin ? { origin } : {}), ...(headers ? { headers } : {}) });
    }
  };
}

/** `connect` for Node: sockets (and the /health probe) send `origin` when one is given. */
export function connectFromNode(options: Omit<ConnectOptions, "WebSocket"> & Pick<NodeSocketOptions, "headers">): PerudoClient {
  const { headers, ...connectOptions } = options;
  return connectClient({ ...connectOptions, WebSocket: nodeWebSocket({ origin: options.origin, headers }) });
}
