import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds the play page (dist/page) once per run: every wrangler dev serves it as assets.
    globalSetup: ["test/support/build-page.global.ts"],
    // Integration tests start real workerd and wrangler processes: give them room, and keep
    // the number of files running at once to the machine's two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    env: {
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      WRANGLER_HIDE_BANNER: "true",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
    },
  },
});
