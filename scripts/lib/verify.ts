// Post-deploy verification: poll <base>/health until it reports the new build (a first deploy
// waits for DNS and the certificate), then (deploy and smoke) require the play page at <base>/,
// then open a WebSocket to a fresh smoke room and require the room's `welcome` and a `state`.
// All share one deadline. Used by deploy, smoke and rollback.
import { randomBytes } from "node:crypto";
import type { FetchLike } from "./cloudflare-api.ts";
import { UsageError, VerifyError } from "./errors.ts";
import type { Logger } from "./logger.ts";
import type { StackOutputs } from "./outputs.ts";
import { realSleep, type Sleep } from "./retry.ts";

/** Where verification looks: DEPLOY_VERIFY_URL (local testing) or https://<domain>. Throws UsageError. */
export function verifyBase(env: NodeJS.ProcessEnv, outputs: Pick<StackOutputs, "domain">): string {
  const override = env["DEPLOY_VERIFY_URL"]?.trim();
  if (!override) return `https://${outputs.domain}`;
  let url: URL;
  try {
    url = new URL(override);
  } catch {
    throw new UsageError(`DEPLOY_VERIFY_URL=${override} is not a URL (expected e.g. http://127.0.0.1:8787).`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`DEPLOY_VERIFY_URL must be an http(s) URL, got ${override}.`);
  }
  return url.toString().replace(/\/+$/, "");
}

export interface HealthObservation {
  /** What /health said, in words, for progress and errors. */
  summary: string;
  ok: boolean;
  version?: string;
}

/** Judges one /health answer. Pure. */
export function judgeHealth(
  answer: { status: number; body: string } | { networkError: string },
  buildId: string | undefined,
): HealthObservation {
  if ("networkError" in answer) return { ok: false, summary: `no answer (${answer.networkError})` };
  if (answer.status !== 200) return { ok: false, summary: `HTTP ${answer.status}` };
  let json: unknown;
  try {
    json = JSON.parse(answer.body);
  } catch {
    return { ok: false, summary: "HTTP 200 but not JSON (is something else serving this host?)" };
  }
  const body = json as { ok?: unknown; version?: unknown; name?: unknown };
  if (body.ok !== true) return { ok: false, summary: `HTTP 200 but ok=${JSON.stringify(body.ok)}` };
  const version = typeof body.version === "string" ? body.version : undefined;
  if (buildId !== undefined && version !== buildId) {
    return { ok: false, version, summary: `build ${version ?? "(none)"} answering, waiting for ${buildId}` } as HealthObservation;
  }
  return { ok: true, ...(version !== undefined ? { version } : {}), summary: `healthy, build ${version ?? "(unknown)"}` };
}

/** What the play page's HTML carries (page/index.html), so another site's page is not taken for it. */
export const PLAY_PAGE_MARKER = '<meta name="application-name" content="perudo-vibe"';

/** Judges one GET <base>/ answer: the play page, or what came instead. Pure. */
export function judgePage(
  answer: { status: number; contentType: string | null; body: string } | { networkError: string },
): { ok: boolean; summary: string } {
  if ("networkError" in answer) return { ok: false, summary: `no answer (${answer.networkError})` };
  if (answer.status !== 200) return { ok: false, summary: `HTTP ${answer.status}` };
  if (!answer.contentType?.includes("text/html")) return { ok: false, summary: `HTTP 200 but ${answer.contentType ?? "no content type"}, not HTML` };
  if (!answer.body.includes(PLAY_PAGE_MARKER)) return { ok: false, summary: "HTTP 200 HTML, but not the perudo-vibe play page" };
  return { ok: true, summary: "play page served" };
}

/** http(s)://host -> ws(s)://host/parties/main/<room>. Pure. */
export function smokeSocketUrl(base: string, room: string): string {
  const url = new URL(base);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/parties/main/${encodeURIComponent(room)}`;
  url.search = "";
  return url.toString();
}

export function newSmokeRoom(): string {
  return `smoke-${randomBytes(6).toString("hex")}`;
}

export interface SocketCheckResult {
  ok: boolean;
  /** What happened, in words ("welcome + state received", "closed 1006 before welcome", ...). */
  summary: string;
  received: string[];
}

export type SocketCheck = (url: string, options: { origin?: string | undefined; room: string; timeoutMs: number }) => Promise<SocketCheckResult>;

/** Opens the room socket and waits for `welcome` (for this room) and a `state`. */
export const checkRoomSocket: SocketCheck = async (url, { origin, room, timeoutMs }) => {
  // Loaded here, not at startup: only a verification needs it, and it costs every command ~0.1 s.
  const { default: WebSocket } = await import("ws");
  return new Promise((resolve) => {
    const received: string[] = [];
    let welcome = false;
    let state = false;
    let settled = false;
    const socket = new WebSocket(url, { headers: origin ? { Origin: origin } : {}, handshakeTimeout: timeoutMs });
    const finish = (result: Omit<SocketCheckResult, "received">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        socket.close(1000, "smoke check done");
      } catch {
        // not open
      }
      setTimeout(() => socket.terminate(), 1_000).unref();
      resolve({ ...result, received });
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          summary: `no ${welcome ? "state" : "welcome"} within ${Math.round(timeoutMs / 1000)}s (received: ${received.join(", ") || "nothing"})`,
        }),
      timeoutMs,
    );
    socket.on("unexpected-response", (_request, response) =>
      finish({ ok: false, summary: `upgrade refused: HTTP ${response.statusCode}` }),
    );
    socket.on("error", (error) => finish({ ok: false, summary: `socket error: ${error.message}` }));
    socket.on("close", (code, reason) =>
      finish({ ok: false, summary: `closed (${code}${reason.length ? ` ${reason.toString()}` : ""}) before ${welcome ? "state" : "welcome"}` }),
    );
    socket.on("message", (data) => {
      let type = "(not JSON)";
      let message: { type?: unknown; room?: unknown } = {};
      try {
        message = JSON.parse(data.toString()) as typeof message;
        type = typeof message.type === "string" ? message.type : "(no type)";
      } catch {
        // keep "(not JSON)"
      }
      received.push(type);
      if (type === "welcome") {
        if (message.room !== undefined && message.room !== room) {
          finish({ ok: false, summary: `welcome for room ${JSON.stringify(message.room)}, expected ${room}` });
          return;
        }
        welcome = true;
      }
      if (type === "state" && welcome) state = true;
      if (welcome && state) finish({ ok: true, summary: "welcome and state received" });
    });
  });
};

export interface VerifyOptions {
  /** Base URL to check, e.g. https://perudo.example.com or http://127.0.0.1:8787. */
  base: string;
  /** Require /health to report this version. */
  buildId?: string | undefined;
  /** Origin header for the WebSocket (first allowed origin). */
  origin?: string | undefined;
  /** Also require the play page at <base>/ (off for rollbacks: older builds may predate it). */
  checkPage?: boolean;
  /** Bound on the whole verification. */
  timeoutMs: number;
  /**
   * Who is verifying, for the timeout hint: the deploy (its flag is --verify-timeout, and the
   * smoke command is a separate check worth suggesting) or the smoke command (--timeout).
   * @default "deploy"
   */
  caller?: "deploy" | "smoke";
  logger: Logger;
  fetch?: FetchLike;
  sleep?: Sleep;
  now?: () => number;
  socketCheck?: SocketCheck;
  room?: string;
}

export interface VerifyResult {
  base: string;
  version: string | undefined;
  healthMs: number;
  socketMs: number;
  room: string;
}

export async function verifyDeployment(options: VerifyOptions): Promise<VerifyResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const doFetch = options.fetch ?? ((input: string, init?: RequestInit) => fetch(input, init));
  const socketCheck = options.socketCheck ?? checkRoomSocket;
  const started = now();
  const deadline = started + options.timeoutMs;
  const base = options.base.replace(/\/+$/, "");
  const healthUrl = `${base}/health`;
  const seconds = () => Math.round((now() - started) / 1000);

  // 1. /health until it reports the build.
  options.logger.info(`polling ${healthUrl}${options.buildId ? ` for build ${options.buildId}` : ""}`);
  let last: HealthObservation | undefined;
  let lastLoggedAt = 0;
  for (let poll = 1; ; poll++) {
    const remaining = deadline - now();
    let observation: HealthObservation;
    try {
      const response = await doFetch(healthUrl, {
        headers: { "cache-control": "no-cache" },
        signal: AbortSignal.timeout(Math.max(1_000, Math.min(10_000, remaining))),
      });
      observation = judgeHealth({ status: response.status, body: await response.text() }, options.buildId);
    } catch (error) {
      observation = judgeHealth({ networkError: describeFetchError(error) }, options.buildId);
    }
    if (observation.ok) {
      options.logger.info(`  ${observation.summary} (${seconds()}s)`);
      last = observation;
      break;
    }
    if (observation.summary !== last?.summary || now() - lastLoggedAt > 15_000) {
      options.logger.info(`  ${observation.summary} (${seconds()}s)`);
      lastLoggedAt = now();
    }
    last = observation;
    if (now() >= deadline) {
      const flag = options.caller === "smoke" ? "--timeout" : "--verify-timeout";
      throw new VerifyError(
        `Verification timed out after ${seconds()}s: ${healthUrl} last said: ${observation.summary}.` +
          (observation.version !== undefined
            ? `\nAn older build is still answering. The upload may not have reached this hostname: check the custom domain / route points at this Worker, then re-run (or raise ${flag}).`
            : `\nA first deploy can take a few minutes while DNS and the certificate are issued; re-run with a larger ${flag}` +
              (options.caller === "smoke" ? "." : `, or check the hostname later with \`npm run smoke -- --url ${base}\`.`)),
      );
    }
    await sleep(Math.min(1_000 * poll, 5_000, Math.max(0, deadline - now())));
  }
  const healthMs = now() - started;

  // 2. The play page at /, served by the same Worker (static assets).
  if (options.checkPage) {
    const pageUrl = `${base}/`;
    options.logger.info(`fetching ${pageUrl}`);
    for (let attempt = 1; ; attempt++) {
      let page: { ok: boolean; summary: string };
      try {
        const response = await doFetch(pageUrl, {
          headers: { "cache-control": "no-cache" },
          signal: AbortSignal.timeout(Math.max(1_000, Math.min(10_000, deadline - now()))),
        });
        page = judgePage({ status: response.status, contentType: response.headers.get("content-type"), body: await response.text() });
      } catch (error) {
        page = judgePage({ networkError: describeFetchError(error) });
      }
      options.logger.info(`  ${page.summary} (${seconds()}s)`);
      if (page.ok) break;
      if (now() >= deadline) {
        throw new VerifyError(
          `Verification failed after ${seconds()}s: /health reports build ${last.version ?? "(unknown)"}, but ${pageUrl} ${page.summary}.\n` +
            "The Worker serves the play page from its static assets (dist/page, built by `npm run build`, which `npm run deploy` runs first): check the build ran and wrangler.jsonc still has `assets`.",
        );
      }
      await sleep(Math.min(1_000 * attempt, 5_000, Math.max(0, deadline - now())));
    }
  }

  // 3. WebSocket to a fresh room: welcome + state.
  const room = options.room ?? newSmokeRoom();
  const socketUrl = smokeSocketUrl(base, room);
  const socketStarted = now();
  options.logger.info(`opening ${socketUrl}${options.origin ? ` (Origin: ${options.origin})` : ""}`);
  for (let attempt = 1; ; attempt++) {
    const remaining = deadline - now();
    const result = await socketCheck(socketUrl, {
      origin: options.origin,
      room,
      timeoutMs: Math.max(1_000, Math.min(15_000, remaining)),
    });
    if (result.ok) {
      options.logger.info(`  ${result.summary} (${seconds()}s)`);
      break;
    }
    options.logger.info(`  ${result.summary} (${seconds()}s)`);
    if (now() >= deadline) {
      throw new VerifyError(
        `Verification failed after ${seconds()}s: /health reports build ${last.version ?? "(unknown)"}, but the WebSocket ${socketUrl} ${result.summary}.\n` +
          `The room must send {"type":"welcome"} and a {"type":"state"} on connect${options.origin ? `; the check sent Origin ${options.origin} (first of allowedOrigins)` : ""}.`,
      );
    }
    await sleep(Math.min(1_000 * attempt, 5_000, Math.max(0, deadline - now())));
  }
  return { base, version: last.version, healthMs, socketMs: now() - socketStarted, room };
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError" || error.name === "AbortError") return "timed out";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}
