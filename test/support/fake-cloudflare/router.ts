// Endpoint templates -> handlers. A template's ":name" segments become params.
import type { ApiResponse } from "./envelope.ts";
import type { FakeCloudflareState, FakeTokenState } from "./state.ts";

/** A multipart part with its bytes (RecordedPart is the public, byte-free view). */
export interface ParsedPart {
  name: string;
  filename?: string;
  contentType?: string;
  text?: string;
  bytes: Buffer;
}

export interface RequestContext {
  state: FakeCloudflareState;
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  parts: ParsedPart[] | undefined;
  /** The token the request authenticated with (verify endpoints also see unusable ones). */
  token: FakeTokenState | undefined;
}

export type Handler = (context: RequestContext) => ApiResponse | Promise<ApiResponse>;

export interface Route {
  method: string;
  /** e.g. "/accounts/:account_id/workers/scripts/:script_name" */
  template: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  /** "PUT /accounts/:account_id/..." */
  endpoint: string;
  segments: string[];
}

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

export class Router {
  readonly #routes: CompiledRoute[] = [];

  add(routes: Route[]): this {
    for (const route of routes) {
      this.#routes.push({
        ...route,
        endpoint: `${route.method} ${route.template}`,
        segments: route.template.split("/").filter(Boolean),
      });
    }
    return this;
  }

  /** Every endpoint template the fake serves. */
  endpoints(): string[] {
    return this.#routes.map((route) => route.endpoint);
  }

  match(method: string, path: string): RouteMatch | undefined {
    const segments = path.split("/").filter(Boolean);
    // Literal segments win over params, so /workers/scripts/x/versions beats nothing and
    // /workers/domains/records is not read as /workers/domains/:domain_id.
    let best: { match: RouteMatch; literals: number } | undefined;
    for (const route of this.#routes) {
      if (route.method !== method || route.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let literals = 0;
      let matched = true;
      route.segments.forEach((segment, index) => {
        const actual = segments[index]!;
        if (segment.startsWith(":")) params[segment.slice(1)] = decodeURIComponent(actual);
        else if (segment === actual) literals += 1;
        else matched = false;
      });
      if (matched && (!best || literals > best.literals)) best = { match: { route, params }, literals };
    }
    return best?.match;
  }
}
