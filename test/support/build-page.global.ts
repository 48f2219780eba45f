// vitest global setup: the same page build as `npm run build`, once before any test file runs.
import { buildPage } from "../../scripts/build-page.ts";

export default async function setup(): Promise<void> {
  await buildPage();
}
