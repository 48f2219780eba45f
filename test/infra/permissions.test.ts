// The deploy token's permission list (infra/permissions.ts) and its derivation table
// (docs/permissions.md) must agree, and the table must keep the format other tests parse.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  accountResources,
  PERMISSION_GRANTS,
  requiredPermissionGroups,
  resolvePermissionGroups,
  zoneResources,
} from "../../infra/permissions.ts";
import { PERMISSION_GROUPS } from "./support/cloudflare-mocks.ts";

const DOC = readFileSync(path.join(import.meta.dirname, "../../docs/permissions.md"), "utf8");
const ENDPOINT = /^`(GET|PUT|POST|PATCH|DELETE) (\/[^`]*)`$/;
const PARAMS = new Set([
  ":account_id",
  ":zone_id",
  ":script_name",
  ":domain_id",
  ":record_id",
  ":route_id",
  ":version_id",
  ":deployment_id",
  ":token_id",
  ":tail_id",
  ":worker_id", // the Workers API names a Worker by id or name (wrangler passes the name)
]);

interface Row {
  endpoint: string;
  cells: string[];
}

/** The rows of the table whose header starts with "Endpoint". */
function derivationRows(markdown: string): Row[] {
  const lines = markdown.split("\n");
  const header = lines.findIndex((line) => /^\|\s*Endpoint\s*\|/.test(line));
  expect(header, "docs/permissions.md has no table starting with an Endpoint column").toBeGreaterThan(-1);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    const cells = line.split("|").slice(1, -1).map((cell) => cell.trim());
    rows.push({ endpoint: cells[0] ?? "", cells });
  }
  return rows;
}

const rows = derivationRows(DOC);

describe("docs/permissions.md", () => {
  it("has one endpoint per row, as `METHOD /path/:params` with the agreed param names", () => {
    expect(rows.length).toBeGreaterThan(20);
    for (const row of rows) {
      const match = ENDPOINT.exec(row.endpoint);
      expect(match, `bad first cell: ${row.endpoint}`).not.toBeNull();
      for (const param of match![2]!.match(/:[a-z_]+/g) ?? []) expect(PARAMS, row.endpoint).toContain(param);
      expect(row.endpoint).not.toContain("?");
      expect(row.cells, row.endpoint).toHaveLength(4);
    }
    const endpoints = rows.map((row) => row.endpoint);
    expect(new Set(endpoints).size).toBe(endpoints.length);
  });

  it("covers the deploy, the wrangler commands we use, and our preflight/attach calls", () => {
    const documented = new Set(rows.map((row) => row.endpoint.slice(1, -1)));
    const scripts = "/accounts/:account_id/workers/scripts/:script_name";
    for (const endpoint of [
      `PUT ${scripts}`,
      `POST ${scripts}/versions`,
      `POST ${scripts}/deployments`,
      `GET ${scripts}/deployments`,
      `PATCH ${scripts}/script-settings`,
      `GET ${scripts}/settings`,
      `GET ${scripts}/subdomain`,
      `POST ${scripts}/subdomain`,
      "GET /accounts/:account_id/workers/scripts",
      "GET /accounts/:account_id/workers/services/:script_name",
      "GET /zones",
      "GET /zones/:zone_id/workers/routes",
      "POST /zones/:zone_id/workers/routes",
      `PUT ${scripts}/routes`,
      `GET ${scripts}/versions`,
      `GET ${scripts}/versions/:version_id`,
      `POST ${scripts}/tails`,
      `DELETE ${scripts}/tails/:tail_id`,
      "DELETE /accounts/:account_id/workers/services/:script_name",
      "GET /user/tokens/verify",
      "GET /accounts/:account_id/tokens/verify",
      "GET /zones/:zone_id",
      "GET /zones/:zone_id/dns_records",
      "GET /accounts/:account_id/workers/domains",
      "PUT /accounts/:account_id/workers/domains",
      "DELETE /accounts/:account_id/workers/domains/:domain_id",
    ]) {
      expect(documented, endpoint).toContain(endpoint);
    }
  });

  it("grants exactly the groups in infra/permissions.ts, route-only ones marked as such", () => {
    const granted = new Map<string, boolean>();
    for (const row of rows) {
      const cell = row.cells[3]!;
      for (const [, group] of cell.matchAll(/\*\*([^*]+)\*\*/g)) {
        const routeOnly = /route mode only/.test(cell);
        const previous = granted.get(group!);
        expect(previous === undefined || previous === routeOnly, `${group} marked inconsistently`).toBe(true);
        granted.set(group!, routeOnly);
      }
    }
    const expected = new Map(PERMISSION_GRANTS.map((grant) => [grant.group, grant.routing === "route"]));
    expect(Object.fromEntries(granted)).toEqual(Object.fromEntries(expected));
  });

  it("states the result table with the same groups per scope", () => {
    const result = DOC.slice(DOC.indexOf("### Result"));
    const route = requiredPermissionGroups("route");
    for (const group of [...route.account, ...route.zone]) expect(result).toContain(group);
  });
});

describe("infra/permissions.ts", () => {
  it("needs Workers Scripts Write, Account Settings Read, Workers Tail Read on the account", () => {
    expect(requiredPermissionGroups("custom-domain").account).toEqual([
      "Workers Scripts Write",
      "Account Settings Read",
      "Workers Tail Read",
    ]);
    expect(requiredPermissionGroups("route").account).toEqual(requiredPermissionGroups("custom-domain").account);
  });

  it("needs Zone Read and DNS Read on the zone, plus Workers Routes Write in route mode only", () => {
    expect(requiredPermissionGroups("custom-domain").zone).toEqual(["Zone Read", "DNS Read"]);
    expect(requiredPermissionGroups("route").zone).toEqual(["Zone Read", "DNS Read", "Workers Routes Write"]);
  });

  it("grants nothing for KV, R2, Pages, D1, DNS Write or at user level", () => {
    for (const grant of PERMISSION_GRANTS) {
      expect(grant.group).not.toMatch(/KV|R2|Pages|D1|DNS Write|User|Memberships/);
      expect(["account", "zone"]).toContain(grant.scope);
    }
  });

  it("resolves names to ids in the right scope, and reports what is missing", () => {
    const resolved = resolvePermissionGroups(requiredPermissionGroups("route"), PERMISSION_GROUPS);
    expect(resolved.ok).toBe(true);
    if (resolved.ok) {
      expect(resolved.ids.account).toHaveLength(3);
      expect(resolved.ids.zone).toHaveLength(3);
    }
    // A look-alike in the wrong scope does not count.
    const wrongScope = PERMISSION_GROUPS.map((group) =>
      group.name === "DNS Read" ? { ...group, scopes: ["com.cloudflare.api.account"] } : group,
    );
    expect(resolvePermissionGroups(requiredPermissionGroups("custom-domain"), wrongScope)).toEqual({
      ok: false,
      missing: [{ group: "DNS Read", scope: "zone" }],
    });
    const renamed = PERMISSION_GROUPS.filter((group) => group.name !== "Workers Tail Read");
    expect(resolvePermissionGroups(requiredPermissionGroups("custom-domain"), renamed)).toEqual({
      ok: false,
      missing: [{ group: "Workers Tail Read", scope: "account" }],
    });
  });

  it("scopes policies to exactly one account and one zone", () => {
    expect(JSON.parse(accountResources("a".repeat(32)))).toEqual({ [`com.cloudflare.api.account.${"a".repeat(32)}`]: "*" });
    expect(JSON.parse(zoneResources("b".repeat(32)))).toEqual({ [`com.cloudflare.api.account.zone.${"b".repeat(32)}`]: "*" });
  });
});
