// Checks that the Cloudflare endpoints the deploy runs used are all listed in docs/permissions.md
// (first column of its tables, `METHOD /path/:params`), so the deploy token's documented
// permissions cover what the deploy actually calls.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, type TestContext } from "vitest";
import { PROJECT_ROOT } from "../support/dev-server.ts";
import { documentedEndpoints, writeEndpointEvidence } from "./support.ts";

export const PERMISSIONS_DOC = path.join(PROJECT_ROOT, "docs/permissions.md");

/** Writes the evidence (file + test annotation), then checks the doc lists every endpoint. */
export async function expectEndpointsDocumented(
  used: string[],
  evidence: { name: string; annotate?: TestContext["annotate"] },
): Promise<void> {
  const endpoints = [...new Set(used)].sort();
  const file = await writeEndpointEvidence(evidence.name, endpoints);
  // Message only: vitest names attachment copies after the message, which would be too long.
  await evidence.annotate?.(`${endpoints.length} Cloudflare endpoints used (${path.relative(PROJECT_ROOT, file)}): ${endpoints.join(", ")}`, "evidence");
  expect(endpoints.length, "no Cloudflare request was recorded").toBeGreaterThan(0);
  expect(existsSync(PERMISSIONS_DOC), `docs/permissions.md is missing; it must list:\n${endpoints.join("\n")}`).toBe(true);
  const documented = documentedEndpoints(readFileSync(PERMISSIONS_DOC, "utf8"));
  const missing = endpoints.filter((endpoint) => !documented.has(endpoint));
  expect(missing, `endpoints used by the deploy but not in docs/permissions.md`).toEqual([]);
}
