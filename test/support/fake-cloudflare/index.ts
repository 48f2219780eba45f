// A local stand-in for Cloudflare's API v4, for tests that run the real wrangler CLI (via
// CLOUDFLARE_API_BASE_URL) and our own deploy/ops CLIs against it. It keeps the account's state
// (scripts, versions, deployments, routes, Custom Domains, zones, DNS), records every request,
// answers with Cloudflare's envelopes, and can be told to fail the next requests to an endpoint.
// See docs/cloudflare-endpoints.md for what wrangler calls and why (4.86; 4.164 in its last section).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { VERIFY_ENDPOINTS, accountRoutes, tokenRoutes } from "./account.ts";
import { domainsRoutes } from "./domains.ts";
import { CloudflareError, fail, type ApiResponse } from "./envelope.ts";
import { Router, type ParsedPart } from "./router.ts";
import { createState, type FakeCloudflareState } from "./state.ts";
import type { Failure, FakeCloudflareOptions, RecordedPart, RecordedRequest } from "./types.ts";
import { workersRoutes } from "./workers.ts";
import { zonesRoutes } from "./zones.ts";

export type * from "./types.ts";
export type * from "./state.ts";
export { FAKE_API_TOKEN, WORKER_DOMAIN_DNS_CONTENT } from "./state.ts";
export { runWrangler, wranglerEnv, type WranglerResult, type RunWranglerOptions } from "./wrangler.ts";
export { uploadMetadata } from "./inspect.ts";

export interface FakeCloudflare {
  /** Base for CLOUDFLARE_API_BASE_URL: http://127.0.0.1:<port>/client/v4 */
  url: string;
  /** Every request received, in order (including unhandled and failed ones). */
  requests: RecordedRequest[];
  /** Requests no endpoint matched (answered 404 code 7003, and logged to stderr). */
  unhandled: RecordedRequest[];
  state: FakeCloudflareState;
  /** Every endpoint template the fake serves, e.g. "GET /zones/:zone_id". */
  endpoints: string[];
  /**
   * Make the next n requests matching an endpoint template fail: an HTTP status with
   * Cloudflare's error envelope (code defaults by status: 429 -> 971, 5xx -> 10013,
   * otherwise 10000), or "reset" (the socket is destroyed without a response).
   */
  failNext(endpoint: string, n: number, failure: Failure): void;
  stop(): Promise<void>;
}

const API_PREFIX = "/client/v4";

export async function startFakeCloudflare(options: FakeCloudflareOptions): Promise<FakeCloudflare> {
  if (!/^[0-9a-f]{32}$/.test(options.accountId)) {
    throw new Error(`accountId must be 32 lower-case hex characters, got "${options.accountId}"`);
  }
  const state = createState(options);
  const router = new Router().add([
    ...tokenRoutes,
    ...accountRoutes,
    ...workersRoutes,
    ...domainsRoutes,
    ...zonesRoutes,
  ]);
  const requests: RecordedRequest[] = [];
  const unhandled: RecordedRequest[] = [];
  const failures = new Map<string, Failure[]>();
  const logUnhandled = options.logUnhandled ?? true;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const path = url.pathname.startsWith(API_PREFIX) ? url.pathname.slice(API_PREFIX.length) || "/" : url.pathname;
    const method = request.method ?? "GET";
    const query = Object.fromEntries(url.searchParams);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
    }
    const { body, parts } = await parseBody(raw, headers["content-type"]);
    const match = url.pathname.startsWith(API_PREFIX) ? router.match(method, path) : undefined;
    const recorded: RecordedRequest = {
      method,
      path,
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(parts ? { parts: parts.map(publicPart) } : {}),
      endpoint: match?.route.endpoint ?? `${method} ${path}`,
    };
    requests.push(recorded);

    if (!match) {
      unhandled.push(recorded);
      if (logUnhandled) {
        process.stderr.write(
          `\n[fake-cloudflare] UNHANDLED ${method} ${url.pathname}${url.search} -- add an endpoint to test/support/fake-cloudflare\n`,
        );
      }
      return send(response, CloudflareError.noRoute(url.pathname));
    }

    const queued = failures.get(recorded.endpoint);
    const failure = queued?.shift();
    if (failure !== undefined) {
      if (failure === "reset") {
        request.socket.destroy();
        return;
      }
      return send(response, injectedFailure(failure));
    }

    const bearer = /^Bearer (.+)$/.exec(headers["authorization"] ?? "")?.[1];
    const token = bearer === undefined ? undefined : state.tokens.get(bearer);
    // An IP-restricted token is refused everywhere, verify included (where Cloudflare checks the
    // condition before anything else); the user endpoint does not know account-owned tokens at all.
    if (token?.ipRestricted && !(recorded.endpoint === "GET /user/tokens/verify" && (token.kind ?? "user") === "account")) {
      return send(response, CloudflareError.ipRestricted(request.socket.remoteAddress ?? "127.0.0.1"));
    }
    if (!VERIFY_ENDPOINTS.has(recorded.endpoint)) {
      if (!token || token.status !== "active") return send(response, CloudflareError.authentication(401));
      const permissions = token.permissions ?? "all";
      if (permissions !== "all" && !permissions.includes(recorded.endpoint)) {
        return send(response, CloudflareError.authentication(403));
      }
      const accountId = match.params["account_id"];
      if (accountId !== undefined && accountId !== state.accountId) {
        return send(response, CloudflareError.authentication(403));
      }
    }
    const result = await match.route.handler({
      state,
      method,
      path,
      params: match.params,
      query,
      body,
      parts,
      token,
    });
    send(response, result);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`[fake-cloudflare] handler error: ${String((error as Error)?.stack ?? error)}\n`);
      if (!response.headersSent) send(response, fail(500, 10013, `fake-cloudflare: ${String(error)}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}${API_PREFIX}`,
    requests,
    unhandled,
    state,
    endpoints: router.endpoints(),
    failNext(endpoint, n, failure) {
      if (!router.endpoints().includes(endpoint)) {
        throw new Error(`failNext: unknown endpoint "${endpoint}"; known: ${router.endpoints().join(", ")}`);
      }
      const queue = failures.get(endpoint) ?? [];
      for (let index = 0; index < n; index += 1) queue.push(failure);
      failures.set(endpoint, queue);
    },
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

function injectedFailure(failure: Exclude<Failure, "reset">): ApiResponse {
  const code = failure.code ?? (failure.status === 429 ? 971 : failure.status >= 500 ? 10013 : 10000);
  const message =
    failure.message ??
    (failure.status === 429
      ? "Please wait and consider throttling your request speed"
      : failure.status >= 500
        ? "An unknown error has occurred"
        : "Authentication error");
  return fail(failure.status, code, message);
}

function send(response: ServerResponse, { status, body }: ApiResponse): void {
  if (body === undefined) {
    response.writeHead(status, { "content-length": 0, "cf-ray": "0000000000000000-FAKE" });
    response.end();
    return;
  }
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "cf-ray": "0000000000000000-FAKE",
  });
  response.end(text);
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

async function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ body?: unknown; parts?: ParsedPart[] }> {
  if (raw.length === 0) return {};
  if (contentType?.startsWith("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
    const parts: ParsedPart[] = [];
    for (const [name, value] of form.entries()) {
      if (typeof value === "string") {
        parts.push({ name, text: value, bytes: Buffer.from(value) });
      } else {
        const bytes = Buffer.from(await value.arrayBuffer());
        const type = value.type || undefined;
        parts.push({
          name,
          filename: value.name,
          ...(type ? { contentType: type } : {}),
          ...(isText(type) ? { text: bytes.toString("utf8") } : {}),
          bytes,
        });
      }
    }
    return { parts };
  }
  const text = raw.toString("utf8");
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { body: text };
  }
}

function isText(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return (
    contentType.startsWith("text/") ||
    contentType.startsWith("application/javascript") ||
    contentType.startsWith("application/json") ||
    contentType.startsWith("application/source-map") ||
    contentType.startsWith("application/python")
  );
}

function publicPart(part: ParsedPart): RecordedPart {
  return {
    name: part.name,
    ...(part.filename !== undefined ? { filename: part.filename } : {}),
    ...(part.contentType !== undefined ? { contentType: part.contentType } : {}),
    ...(part.text !== undefined ? { text: part.text } : {}),
    size: part.bytes.length,
  };
}
