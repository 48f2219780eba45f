import { spawn } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startFakeCloudflare } from "./test/support/fake-cloudflare/index.ts";
const ACCOUNT_ID = "0123456789abcdef0123456789abcdef", ZONE_ID = "1b1e1c1d1e1f10111213141516171819", TOKEN = "bench-deploy-token-000000000000000000";
const inAYear = new Date(Date.now() + 365 * 864e5).toISOString();
const fake = await startFakeCloudflare({ accountId: ACCOUNT_ID, tokens: { [TOKEN]: { status: "active", kind: "account", expiresOn: inAYear } }, zones: [{ id: ZONE_ID, name: "example.com", status: "active" }], logUnhandled: false });
const dir = mkdtempSync(path.join(tmpdir(), "sd11-"));
const outputs = path.join(dir, "o.json");
const D = "perudo.example.com";
writeFileSync(outputs, JSON.stringify({ accountId: ACCOUNT_ID, zoneId: ZONE_ID, zoneName: "example.com", domain: D, routing: "custom-domain", environment: "bench", workerName: "perudo-vibe-bench", deployToken: TOKEN, deployTokenExpiresOn: inAYear, host: D, websocketUrl: `wss://${D}/parties/main`, healthUrl: `https://${D}/health`, allowedOrigins: [], turnSeconds: 60 }));
const env = { ...process.env, CLOUDFLARE_API_BASE_URL: fake.url, WRANGLER_SEND_METRICS: "false", CI: "true" };
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  let firstOut = 0, lastOut = 0;
  await new Promise<void>((resolve) => {
    const c = spawn("npm", ["run", "--silent", "deploy", "--", "--outputs", outputs, "--skip-verify", "--json", "--build-id", "b"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    c.stdout.on("data", (d) => { out += d; lastOut = performance.now(); });
    c.stderr.on("data", (d) => { if (!firstOut) firstOut = performance.now(); for (const line of String(d).split("\n")) if (line.trim()) console.log(`${(performance.now() - t0).toFixed(0).padStart(6)} ${line.slice(0, 110)}`); });
    c.on("close", () => { console.log(`exit at ${(performance.now() - t0).toFixed(0)}, json at ${(lastOut - t0).toFixed(0)} durations ${JSON.stringify(JSON.parse(out).durationsMs)}`); resolve(); });
  });
}
await fake.stop();
