// Section 4, deploy overhead: `npm run deploy -- --outputs <file> --skip-verify` (preflight,
// wrangler upload, hostname attach) against the local fake Cloudflare API, against a bare
// `wrangler deploy` of the same Worker with the same arguments against the same fake.
// Runs alternate (CLI, bare, CLI, bare, ...) so drifting machine load hits both alike.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "../../test/support/dev-server.ts";
import { median, round } from "../lib/stats.ts";
import { npmScriptNodeArgs } from "../../test/support/run-process.ts";
import { cleanEnv, runCommand, runWrangler } from "../lib/wrangler.ts";

export interface DeploySection {
  runs: number;
  cli: {
    wallMs: number[];
    medianMs: number;
    phasesMs: Record<string, number | null>[];
    /** Median of wall time minus the CLI's own phase timings: process start, domain attach, exit. */
    outsidePhasesMedianMs: number;
    /** Median wall time of `npm run deploy -- --help`: just starting the CLI (npm, Node, imports). */
    startupMedianMs: number;
    /**
     * Median wall time of `npm run env` (npm's built-in script; it starts no Node): what npm's own
     * start-up costs any `npm run`, the part of the overhead the CLI's code cannot remove.
     */
    npmStartupMedianMs?: number;
  };
  bare: { wallMs: number[]; medianMs: number };
  ratio: number;
  /**
   * Information: the same CLI started the way npm starts it, without npm (`node <the script's
   * arguments>`), in the same alternation: the CLI's own overhead, npm's start-up taken out.
   */
  withoutNpm?: { wallMs: number[]; medianMs: number; ratio: number };
  command: { cli: string; bare: string; withoutNpm?: string };
}

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const ZONE_ID = "1b1e1c1d1e1f10111213141516171819";
const DEPLOY_TOKEN = "bench-deploy-token-000000000000000000";
const WORKER = "perudo-vibe-bench";
const DOMAIN = "perudo.example.com";

/** Why the section cannot run on this checkout, or null when it can. */
export function deployUnavailable(): string | null {
  for (const file of ["scripts/deploy.ts", "test/support/fake-cloudflare/index.ts"]) {
    if (!existsSync(path.join(PROJECT_ROOT, file))) return `${file} is not in this checkout`;
  }
  return null;
}

export async function measureDeploy(options: { runs: number; deadline: number }): Promise<DeploySection> {
  // Imported lazily: the fake lives in test/support and may be missing on an old checkout.
  const { startFakeCloudflare } = await import("../../test/support/fake-cloudflare/index.ts");
  const fake = await startFakeCloudflare({
    accountId: ACCOUNT_ID,
    tokens: { [DEPLOY_TOKEN]: { status: "active", kind: "account", expiresOn: inAYear() } },
    zones: [{ id: ZONE_ID, name: "example.com", status: "active" }],
    dnsRecords: [],
    workerDomains: [],
    logUnhandled: false,
  });
  const dir = mkdtempSync(path.join(tmpdir(), "perudo-bench-deploy-"));
  try {
    const outputsFile = path.join(dir, "outputs.json");
    writeFileSync(outputsFile, JSON.stringify(stackOutputs()));
    const cliArgs = ["run", "--silent", "deploy", "--", "--outputs", outputsFile, "--skip-verify", "--json", "--build-id", "bench"];
    // The arguments the deploy CLI gives wrangler (scripts/lib/wrangler.ts), minus the hostname.
    const bareArgs = [
      "deploy",
      "--name",
      WORKER,
      "--var",
      "BUILD_ID:bench",
      "--var",
      "ALLOWED_ORIGINS:https://app.example.com",
      "--var",
      "TURN_SECONDS:60",
      "--tag",
      "bench",
      "--message",
      "bench",
      "--minify",
    ];
    const cliEnv = cleanEnv({ CLOUDFLARE_API_BASE_URL: fake.url });
    const directArgs = [...npmScriptNodeArgs("deploy"), ...cliArgs.slice(cliArgs.indexOf("--") + 1)];
    const bareEnv = cleanEnv({
      CLOUDFLARE_API_BASE_URL: fake.url,
      CLOUDFLARE_ACCOUNT_ID: ACCOUNT_ID,
      CLOUDFLARE_API_TOKEN: DEPLOY_TOKEN,
    });

    const cli: number[] = [];
    const phases: Record<string, number | null>[] = [];
    const bare: number[] = [];
    const direct: number[] = [];
    for (let run = 0; run < options.runs; run++) {
      if (run > 0 && performance.now() > options.deadline) break;
      const viaCli = await runCommand("npm", cliArgs, { env: cliEnv, timeoutMs: 150_000 });
      if (viaCli.code !== 0) throw new Error(`npm run deploy failed (exit ${viaCli.code}):\n${tail(viaCli.stderr || viaCli.stdout)}`);
      cli.push(viaCli.wallMs);
      phases.push(durations(viaCli.stdout));
      const viaWrangler = await runWrangler(bareArgs, { env: bareEnv, timeoutMs: 150_000 });
      if (viaWrangler.code !== 0) throw new Error(`wrangler deploy failed (exit ${viaWrangler.code}):\n${tail(viaWrangler.stderr)}`);
      bare.push(viaWrangler.wallMs);
      const viaNode = await runCommand(process.execPath, directArgs, { env: cliEnv, timeoutMs: 150_000 });
      if (viaNode.code !== 0) throw new Error(`node ${directArgs.join(" ")} failed (exit ${viaNode.code}):\n${tail(viaNode.stderr || viaNode.stdout)}`);
      direct.push(viaNode.wallMs);
    }
    const startups: number[] = [];
    for (let i = 0; i < 3; i++) startups.push((await runCommand("npm", ["run", "--silent", "deploy", "--", "--help"], { env: cliEnv })).wallMs);
    const npmStartups: number[] = [];
    for (let i = 0; i < 3; i++) npmStartups.push((await runCommand("npm", ["run", "--silent", "env"], { env: cliEnv })).wallMs);
    const outside = cli.map((wall, i) => wall - Object.values(phases[i] ?? {}).reduce<number>((sum, ms) => sum + (ms ?? 0), 0));
    const cliMedian = median(cli);
    const bareMedian = median(bare);
    return {
      runs: cli.length,
      cli: {
        wallMs: cli.map((ms) => round(ms, 0)),
        medianMs: round(cliMedian, 0),
        phasesMs: phases,
        outsidePhasesMedianMs: round(median(outside), 0),
        startupMedianMs: round(median(startups), 0),
        npmStartupMedianMs: round(median(npmStartups), 0),
      },
      bare: { wallMs: bare.map((ms) => round(ms, 0)), medianMs: round(bareMedian, 0) },
      ratio: round(cliMedian / bareMedian, 3),
      withoutNpm: { wallMs: direct.map((ms) => round(ms, 0)), medianMs: round(median(direct), 0), ratio: round(median(direct) / bareMedian, 3) },
      command: { cli: `npm ${cliArgs.join(" ")}`, bare: `wrangler ${bareArgs.join(" ")}`, withoutNpm: `node ${directArgs.join(" ")}` },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await fake.stop();
  }
}

function durations(stdout: string): Record<string, number | null> {
  try {
    const report = JSON.parse(stdout) as { durationsMs?: Record<string, number | null> };
    return report.durationsMs ?? {};
  } catch {
    return {};
  }
}

function stackOutputs(): Record<string, unknown> {
  return {
    accountId: ACCOUNT_ID,
    zoneId: ZONE_ID,
    zoneName: "example.com",
    domain: DOMAIN,
    routing: "custom-domain",
    environment: "bench",
    workerName: WORKER,
    deployToken: DEPLOY_TOKEN,
    deployTokenExpiresOn: inAYear(),
    host: DOMAIN,
    websocketUrl: `wss://${DOMAIN}/parties/main`,
    healthUrl: `https://${DOMAIN}/health`,
    allowedOrigins: ["https://app.example.com"],
    turnSeconds: 60,
  };
}

function inAYear(): string {
  return new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString();
}

function tail(text: string): string {
  return text.split("\n").slice(-15).join("\n");
}
