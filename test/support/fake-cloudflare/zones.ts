// Zones, DNS records and zone-level Worker routes, plus the script-level routes PUT that
// `wrangler deploy --route` uses.
import type { RecordResponse } from "cloudflare/resources/dns/records";
import type { RouteListResponse } from "cloudflare/resources/workers/routes";
import type { Zone } from "cloudflare/resources/zones/zones";
import { CloudflareError, PAGING, fail, ok, okList, type ApiResponse } from "./envelope.ts";
import type { RequestContext, Route } from "./router.ts";
import {
  addDnsRecord,
  hexId,
  zoneForHostname,
  type DnsRecordState,
  type FakeCloudflareState,
  type RouteState,
  type ZoneState,
} from "./state.ts";

export const zonesRoutes: Route[] = [
  { method: "GET", template: "/zones", handler: listZones },
  { method: "GET", template: "/zones/:zone_id", handler: getZone },
  { method: "GET", template: "/zones/:zone_id/dns_records", handler: listDnsRecords },
  { method: "POST", template: "/zones/:zone_id/dns_records", handler: createDnsRecord },
  { method: "GET", template: "/zones/:zone_id/dns_records/:record_id", handler: getDnsRecord },
  { method: "DELETE", template: "/zones/:zone_id/dns_records/:record_id", handler: deleteDnsRecord },
  { method: "GET", template: "/zones/:zone_id/workers/routes", handler: listZoneRoutes },
  { method: "POST", template: "/zones/:zone_id/workers/routes", handler: createZoneRoute },
  { method: "GET", template: "/zones/:zone_id/workers/routes/:route_id", handler: getZoneRoute },
  { method: "PUT", template: "/zones/:zone_id/workers/routes/:route_id", handler: updateZoneRoute },
  { method: "DELETE", template: "/zones/:zone_id/workers/routes/:route_id", handler: deleteZoneRoute },
  {
    method: "GET",
    template: "/accounts/:account_id/workers/scripts/:script_name/routes",
    handler: listScriptRoutes,
  },
  {
    method: "PUT",
    template: "/accounts/:account_id/workers/scripts/:script_name/routes",
    handler: putScriptRoutes,
  },
];

/** A zone as Cloudflare returns it: the SDK's Zone type (a missing or misspelt field does not compile). */
export function zoneObject(state: FakeCloudflareState, zone: ZoneState): Zone {
  const object: Zone = {
    id: zone.id,
    name: zone.name,
    status: zone.status,
    paused: false,
    type: "full",
    development_mode: 0,
    name_servers: zone.nameServers,
    original_name_servers: null,
    original_registrar: null,
    original_dnshost: null,
    created_on: zone.createdOn,
    modified_on: zone.createdOn,
    activated_on: zone.status === "active" ? zone.createdOn : null,
    account: { id: state.accountId, name: state.accountName },
    owner: { type: "user" },
    permissions: [],
    plan: { id: "0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee", name: "Free Website", price: 0, currency: "USD" },
    meta: { phishing_detected: false, cdn_only: false, dns_only: false, foundation_dns: false },
  };
  if (state.omitZoneStatus) delete object.status; // optional in Cloudflare's schema
  return object;
}

function listZones({ state, query }: RequestContext): ApiResponse {
  const zones = [...state.zones.values()].filter(
    (zone) =>
      (query["name"] === undefined || zone.name === query["name"]) &&
      (query["status"] === undefined || zone.status === query["status"]) &&
      (query["account.id"] === undefined || query["account.id"] === state.accountId),
  );
  return okList(
    zones.map((zone) => zoneObject(state, zone)),
    query,
    PAGING.zones,
  );
}

function getZone({ state, params, path }: RequestContext): ApiResponse {
  const zone = state.zones.get(params["zone_id"]!);
  if (!zone) return CloudflareError.noRoute(path);
  return ok(zoneObject(state, zone));
}

/** The fields every record type shares, per the SDK's RecordResponse (type kept as the union of type names). */
type RecordCommon = Omit<RecordResponse.ARecord, "type" | "meta" | "settings"> & { type: RecordResponse["type"] };

export function dnsRecordObject(state: FakeCloudflareState, record: DnsRecordState): RecordCommon & { meta: Record<string, unknown> } {
  const byWorker = record.workerDomainId !== undefined;
  const common: RecordCommon = {
    id: record.id,
    name: record.name,
    type: record.type as RecordResponse["type"],
    content: record.content,
    proxiable: ["A", "AAAA", "CNAME"].includes(record.type),
    proxied: record.proxied,
    ttl: 1,
    // The schema types comment as an optional string; Cloudflare answers null for none.
    comment: record.comment as string,
    tags: [],
    created_on: record.createdOn,
    modified_on: record.modifiedOn,
  };
  return {
    ...common,
    // Records a Workers Custom Domain creates are read-only; these meta keys are the fake's
    // own (Cloudflare doesn't document them): identify such records via the domains list.
    meta: byWorker
      ? {
          read_only: true,
          origin_worker_id: state.workerDomains.get(record.workerDomainId!)?.service,
          workers_custom_domain_id: record.workerDomainId,
        }
      : {},
  };
}

function listDnsRecords({ state, params, query, path }: RequestContext): ApiResponse {
  const zone = state.zones.get(params["zone_id"]!);
  if (!zone) return CloudflareError.noRoute(path);
  const name = query["name"] ?? query["name.exact"];
  const records = [...state.dnsRecords.values()].filter(
    (record) =>
      record.zoneId === zone.id &&
      (name === undefined || record.name === name) &&
      (query["type"] === undefined || record.type === query["type"]) &&
      (query["content"] === undefined || record.content === query["content"]),
  );
  const response = okList(
    records.map((record) => dnsRecordObject(state, record)),
    query,
    PAGING.dnsRecords,
  );
  // The schema lets an empty list's result be null; clients must cope (issue #10, item 6).
  if (state.nullEmptyDnsList && records.length === 0) (response.body as { result: unknown }).result = null;
  return response;
}

const ADDRESS_TYPES = ["A", "AAAA", "CNAME"];

function createDnsRecord({ state, params, body, path }: RequestContext): ApiResponse {
  const zone = state.zones.get(params["zone_id"]!);
  if (!zone) return CloudflareError.noRoute(path);
  const request = (body ?? {}) as Partial<{ name: string; type: string; content: string; proxied: boolean; comment: string }>;
  if (!request.name || !request.type || request.content === undefined) {
    return fail(400, 9005, "name, type and content are required");
  }
  const name = request.name === "@" ? zone.name : request.name;
  if (ADDRESS_TYPES.includes(request.type)) {
    const clash = [...state.dnsRecords.values()].some(
      (record) =>
        record.zoneId === zone.id &&
        record.name === name &&
        ADDRESS_TYPES.includes(record.type) &&
        (record.type === "CNAME" || request.type === "CNAME" || record.workerDomainId !== undefined),
    );
    if (clash) return CloudflareError.dnsRecordExists();
  }
  const record = addDnsRecord(state, {
    zoneId: zone.id,
    name,
    type: request.type,
    content: request.content,
    proxied: request.proxied ?? false,
    comment: request.comment ?? null,
  });
  return ok(dnsRecordObject(state, record));
}

function getDnsRecord({ state, params, path }: RequestContext): ApiResponse {
  const record = state.dnsRecords.get(params["record_id"]!);
  if (!record || record.zoneId !== params["zone_id"]) return CloudflareError.noRoute(path);
  return ok(dnsRecordObject(state, record));
}

function deleteDnsRecord({ state, params, path }: RequestContext): ApiResponse {
  const record = state.dnsRecords.get(params["record_id"]!);
  if (!record || record.zoneId !== params["zone_id"]) return CloudflareError.noRoute(path);
  state.dnsRecords.delete(record.id);
  return ok({ id: record.id });
}

// ---------------------------------------------------------------------------------------------
// Routes

function routeObject(route: RouteState): RouteListResponse {
  return { id: route.id, pattern: route.pattern, ...(route.script ? { script: route.script } : {}) };
}

function listZoneRoutes({ state, params, query, path }: RequestContext): ApiResponse {
  if (!state.zones.has(params["zone_id"]!)) return CloudflareError.noRoute(path);
  const routes = [...state.routes.values()].filter((route) => route.zoneId === params["zone_id"]);
  return okList(routes.map(routeObject), query);
}

function createZoneRoute({ state, params, body, path }: RequestContext): ApiResponse {
  if (!state.zones.has(params["zone_id"]!)) return CloudflareError.noRoute(path);
  const request = (body ?? {}) as { pattern?: string; script?: string };
  if (!request.pattern) return CloudflareError.badRequest("pattern is required");
  if ([...state.routes.values()].some((route) => route.pattern === request.pattern)) {
    return CloudflareError.routeExists();
  }
  const route: RouteState = { id: hexId(), zoneId: params["zone_id"]!, pattern: request.pattern, script: request.script ?? null };
  state.routes.set(route.id, route);
  return ok(routeObject(route));
}

function getZoneRoute({ state, params, path }: RequestContext): ApiResponse {
  const route = state.routes.get(params["route_id"]!);
  if (!route || route.zoneId !== params["zone_id"]) return CloudflareError.noRoute(path);
  return ok(routeObject(route));
}

function updateZoneRoute({ state, params, body, path }: RequestContext): ApiResponse {
  const route = state.routes.get(params["route_id"]!);
  if (!route || route.zoneId !== params["zone_id"]) return CloudflareError.noRoute(path);
  const request = (body ?? {}) as { pattern?: string; script?: string };
  if (request.pattern) route.pattern = request.pattern;
  route.script = request.script ?? null;
  return ok(routeObject(route));
}

function deleteZoneRoute({ state, params, path }: RequestContext): ApiResponse {
  const route = state.routes.get(params["route_id"]!);
  if (!route || route.zoneId !== params["zone_id"]) return CloudflareError.noRoute(path);
  state.routes.delete(route.id);
  return ok({ id: route.id });
}

function listScriptRoutes({ state, params, query }: RequestContext): ApiResponse {
  if (!state.scripts.has(params["script_name"]!)) return CloudflareError.scriptNotFound();
  const routes = [...state.routes.values()].filter((route) => route.script === params["script_name"]);
  return okList(routes.map(routeObject), query);
}

/** Replaces the script's routes (wrangler: "PUT will delete previous routes on this script"). */
function putScriptRoutes({ state, params, body }: RequestContext): ApiResponse {
  const scriptName = params["script_name"]!;
  if (!state.scripts.has(scriptName)) return CloudflareError.scriptNotFound();
  if (!Array.isArray(body)) return CloudflareError.badRequest("Expected an array of routes");
  const wanted: RouteState[] = [];
  for (const entry of body as { pattern: string; zone_id?: string; zone_name?: string }[]) {
    const zone =
      (entry.zone_id && state.zones.get(entry.zone_id)) ||
      (entry.zone_name && [...state.zones.values()].find((candidate) => candidate.name === entry.zone_name)) ||
      zoneForHostname(state, hostOfPattern(entry.pattern));
    if (!zone) return CloudflareError.badRequest(`Could not find a zone for route pattern '${entry.pattern}'`);
    const taken = [...state.routes.values()].find(
      (route) => route.pattern === entry.pattern && route.script !== scriptName,
    );
    if (taken) return CloudflareError.routeExists();
    wanted.push({ id: hexId(), zoneId: zone.id, pattern: entry.pattern, script: scriptName });
  }
  for (const [id, route] of state.routes) if (route.script === scriptName) state.routes.delete(id);
  for (const route of wanted) state.routes.set(route.id, route);
  return ok(wanted.map(routeObject));
}

function hostOfPattern(pattern: string): string {
  return pattern.replace(/^https?:\/\//, "").replace(/^\*\.?/, "").split("/")[0]!.split(":")[0]!;
}
