// Why can't we connect? A refused WebSocket upgrade (HTTP 403 for an origin not on the server's
// list) looks exactly like a dead server to a browser page: both are a close with code 1006. So
// after repeated failures the client asks `GET /health`, which the server answers to everyone,
// and reads the answer the way the platform allows:
// - browser, CORS fetch succeeds: this origin may read the server (same origin or allowed), so
//   the socket failure is something else ("reachable");
// - browser, CORS fetch fails but an opaque (no-cors) fetch succeeds: the server is up and does
//   not list this origin ("refused");
// - Node: fetch with the Origin the socket sends; an allowed origin gets
//   Access-Control-Allow-Origin back, a refused (or absent) one does not;
// - no answer at all: "unreachable".

export type ProbeVerdict = "reachable" | "refused" | "unreachable";

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface ProbeOptions {
  /** http(s)://host */
  baseUrl: string;
  /** The Origin the client's sockets send (Node); browsers send their own. */
  origin?: string | undefined;
  /** True in a browser (CORS is enforced and no-cors fetches exist). */
  browser: boolean;
  fetch: FetchFunction;
  timeoutMs?: number;
}

export async function probeServer(options: ProbeOptions): Promise<ProbeVerdict> {
  const url = `${options.baseUrl}/health`;
  const signal = () => AbortSignal.timeout(options.timeoutMs ?? 5_000);
  try {
    const init: RequestInit = options.browser
      ? { mode: "cors", signal: signal() }
      : { headers: options.origin ? { Origin: options.origin } : {}, signal: signal() };
    const response = await options.fetch(url, init);
    await response.body?.cancel();
    if (options.browser) return "reachable";
    return response.headers.get("access-control-allow-origin") !== null ? "reachable" : "refused";
  } catch {
    if (!options.browser) return "unreachable";
  }
  try {
    await options.fetch(url, { mode: "no-cors", signal: signal() });
    return "refused";
  } catch {
    return "unreachable";
  }
}
