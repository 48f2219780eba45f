// `npm run smoke -- --url <base> [--build-id <id>]`: the deploy's verification on its own.
import { z } from "./zod.ts";
import { CommandFailure, numberFlag, parseCliArgs, type CommandContext, type CommandOutcome, type OptionsConfig } from "./cli.ts";
import { validateBuildId } from "./build-id.ts";
import { exitCodeFor, UsageError } from "./errors.ts";
import { verifyDeployment, type VerifyOptions } from "./verify.ts";

export const SMOKE_USAGE = `Usage: npm run smoke -- --url <base> [--build-id <id>] [--origin <origin>] [--timeout <s>] [--json]

Polls <base>/health (until it reports --build-id, when given), then opens a WebSocket to a fresh
room at <base>/parties/main/<room> and requires "welcome" and "state".
Exit codes: 0 ok, 2 usage, 6 verification failed or timed out.`;

const SMOKE_HINT = "Run `npm run smoke -- --help` for usage.";

const smokeOptions = {
  url: { type: "string" },
  "build-id": { type: "string" },
  origin: { type: "string" },
  timeout: { type: "string", default: "60" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
} satisfies OptionsConfig;

const smokeArgsSchema = z.object({
  url: z.string().optional(),
  "build-id": z.string().optional(),
  origin: z.string().optional(),
  timeout: numberFlag({ min: 1, max: 3_600 }),
  json: z.boolean(),
  help: z.boolean(),
});

export async function smokeCommand(
  context: CommandContext,
  deps: Partial<Pick<VerifyOptions, "fetch" | "sleep" | "now" | "socketCheck">> = {},
): Promise<CommandOutcome> {
  const values = parseCliArgs(context.argv, smokeOptions, smokeArgsSchema, SMOKE_HINT);
  context.setJsonMode(values.json);
  if (values.help) return { exitCode: 0, summary: SMOKE_USAGE, json: { ok: true, usage: SMOKE_USAGE } };
  if (!values.url) throw new UsageError(`--url <base> is required. ${SMOKE_HINT}`);
  let base: string;
  try {
    const url = new URL(values.url);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("scheme");
    base = url.toString().replace(/\/+$/, "");
  } catch {
    throw new UsageError(`--url ${values.url} is not an http(s) URL (e.g. https://perudo.example.com).`);
  }
  const buildId = values["build-id"] === undefined ? undefined : validateBuildId(values["build-id"]);
  const started = Date.now();
  const report = { ok: false, url: base, buildId: buildId ?? null, version: null as string | null, room: null as string | null, exitCode: 0, durationMs: 0 };
  try {
    context.logger.step(`Smoke ${base}`);
    const result = await verifyDeployment({
      base,
      buildId,
      checkPage: true,
      origin: values.origin,
      timeoutMs: values.timeout * 1000,
      caller: "smoke",
      logger: context.logger,
      ...deps,
    });
    Object.assign(report, { ok: true, version: result.version ?? null, room: result.room, durationMs: Date.now() - started });
    return {
      exitCode: 0,
      summary: `OK ${base}: build ${result.version ?? "(unknown)"} healthy, WebSocket room ${result.room} sent welcome + state.`,
      json: report,
    };
  } catch (error) {
    throw new CommandFailure(error, { ...report, exitCode: exitCodeFor(error), durationMs: Date.now() - started });
  }
}
