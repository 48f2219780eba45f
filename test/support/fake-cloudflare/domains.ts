// Workers Custom Domains: the public Attach/List/Get/Detach API the deploy CLI uses, and the
// script-level `domains/changeset` POST and `domains/records` PUT that `wrangler deploy --domain`
// uses.
import type { DomainListResponse } from "cloudflare/resources/workers/domains";
import { CloudflareError, ok, okEmpty, okList, type ApiResponse } from "./envelope.ts";
import type { RequestContext, Route } from "./router.ts";
import {
  attachWorkerDomain,
  detachWorkerDomain,
  zoneForHostname,
  type FakeCloudflareState,
  type WorkerDomainState,
  type ZoneState,
} from "./state.ts";

const DOMAINS = "/accounts/:account_id/workers/domains";

export const domainsRoutes: Route[] = [
  { method: "GET", template: DOMAINS, handler: listDomains },
  { method: "PUT", template: DOMAINS, handler: attachDomain },
  { method: "GET", template: `${DOMAINS}/:domain_id`, handler: getDomain },
  { method: "DELETE", template: `${DOMAINS}/:domain_id`, handler: deleteDomain },
  {
    method: "PUT",
    template: "/accounts/:account_id/workers/scripts/:script_name/domains/records",
    handler: putScriptDomains,
  },
  {
    method: "POST",
    template: "/accounts/:account_id/workers/scripts/:script_name/domains/changeset",
    handler: postScriptDomainsChangeset,
  },
];

/** A Custom Domain as Cloudflare returns it (the SDK's DomainListResponse; Get and Attach answer the same shape). */
export function domainObject(domain: WorkerDomainState): DomainListResponse {
  return {
    id: domain.id,
    zone_id: domain.zoneId,
    zone_name: domain.zoneName,
    hostname: domain.hostname,
    service: domain.service,
    environment: domain.environment,
    cert_id: domain.certId,
  };
}

function listDomains({ state, query }: RequestContext): ApiResponse {
  const domains = [...state.workerDomains.values()].filter(
    (domain) =>
      (query["hostname"] === undefined || domain.hostname === query["hostname"]) &&
      (query["service"] === undefined || domain.service === query["service"]) &&
      (query["zone_id"] === undefined || domain.zoneId === query["zone_id"]) &&
      (query["zone_name"] === undefined || domain.zoneName === query["zone_name"]) &&
      (query["environment"] === undefined || domain.environment === query["environment"]),
  );
  return okList(domains.map(domainObject), query);
}

function getDomain({ state, params, path }: RequestContext): ApiResponse {
  const domain = state.workerDomains.get(params["domain_id"]!);
  if (!domain) return CloudflareError.noRoute(path);
  return ok(domainObject(domain));
}

function deleteDomain({ state, params, path }: RequestContext): ApiResponse {
  if (!state.workerDomains.has(params["domain_id"]!)) return CloudflareError.noRoute(path);
  detachWorkerDomain(state, params["domain_id"]!);
  // The 2024 schema defines no body for this 200; an envelope is what Cloudflare sent before.
  return state.detachAnswer === "empty" ? okEmpty() : ok(null);
}

interface AttachRequest {
  hostname: string;
  service: string;
  environment: string;
  zoneId?: string | undefined;
  zoneName?: string | undefined;
  enabled?: boolean | undefined;
  previewsEnabled?: boolean | undefined;
}

type Plan = { error: ApiResponse } | { existing: WorkerDomainState } | { attach: () => WorkerDomainState };

/**
 * Decides what attaching hostname -> service does, without changing anything:
 * same service: nothing to do; another Worker's Custom Domain: 100116 unless overriding;
 * an A/AAAA/CNAME record not made by a Custom Domain: 100117 unless overriding.
 */
function planAttach(
  state: FakeCloudflareState,
  request: AttachRequest,
  overrides: { existingOrigin: boolean; existingDnsRecord: boolean },
  via: "attach" | "records",
): Plan {
  if (!request.hostname || !request.service) {
    return { error: CloudflareError.badRequest("hostname and service are required") };
  }
  if (!state.scripts.has(request.service)) return { error: CloudflareError.scriptNotFound() };
  const zone = resolveZone(state, request);
  if (!zone) {
    return {
      error: CloudflareError.badRequest(`Could not find a zone for hostname '${request.hostname}'`),
    };
  }
  if (request.hostname !== zone.name && !request.hostname.endsWith(`.${zone.name}`)) {
    return {
      error: CloudflareError.badRequest(`Hostname '${request.hostname}' is not in zone '${zone.name}'`),
    };
  }
  const current = [...state.workerDomains.values()].find((domain) => domain.hostname === request.hostname);
  if (current && current.service === request.service && current.environment === request.environment) {
    return { existing: current };
  }
  if (current && !overrides.existingOrigin) {
    return { error: CloudflareError.hostnameInUse(request.hostname) };
  }
  const external = externalRecords(state, zone, request.hostname);
  if (external.length > 0 && !overrides.existingDnsRecord) {
    return { error: CloudflareError.externallyManagedDns(request.hostname, via) };
  }
  return {
    attach: () => {
      if (current) detachWorkerDomain(state, current.id);
      for (const record of external) state.dnsRecords.delete(record.id);
      return attachWorkerDomain(state, {
        hostname: request.hostname,
        service: request.service,
        environment: request.environment,
        zoneId: zone.id,
        zoneName: zone.name,
        enabled: request.enabled,
        previewsEnabled: request.previewsEnabled,
      });
    },
  };
}

/** A/AAAA/CNAME records at hostname that no Custom Domain made (the ones 100117 is about). */
function externalRecords(state: FakeCloudflareState, zone: ZoneState, hostname: string) {
  return [...state.dnsRecords.values()].filter(
    (record) =>
      record.zoneId === zone.id &&
      record.name === hostname &&
      ["A", "AAAA", "CNAME"].includes(record.type) &&
      record.workerDomainId === undefined,
  );
}

function resolveZone(state: FakeCloudflareState, request: AttachRequest): ZoneState | undefined {
  if (request.zoneId) return state.zones.get(request.zoneId);
  if (request.zoneName) return [...state.zones.values()].find((zone) => zone.name === request.zoneName);
  return zoneForHostname(state, request.hostname);
}

/**
 * Attach to Domain: PUT {hostname, service, zone_id, environment?}. The override flags are
 * honoured here too (third-party clients send override_existing_origin), but Cloudflare's docs
 * don't promise it; our deploy CLI never sends them.
 */
function attachDomain({ state, body }: RequestContext): ApiResponse {
  const request = (body ?? {}) as Partial<Record<string, string>> & {
    override_existing_origin?: boolean;
    override_existing_dns_record?: boolean;
  };
  const plan = planAttach(
    state,
    {
      hostname: request["hostname"] ?? "",
      service: request["service"] ?? "",
      environment: request["environment"] ?? "production",
      zoneId: request["zone_id"],
      zoneName: request["zone_name"],
    },
    {
      existingOrigin: request.override_existing_origin === true,
      existingDnsRecord: request.override_existing_dns_record === true,
    },
    "attach",
  );
  if ("error" in plan) return plan.error;
  if ("existing" in plan) return ok(domainObject(plan.existing));
  return ok(domainObject(plan.attach()));
}

/**
 * wrangler's Custom Domain publish: with override_scope the body's origins become the script's
 * whole set of Custom Domains; the override flags turn 100116/100117 into takeovers.
 */
function putScriptDomains({ state, params, body }: RequestContext): ApiResponse {
  const service = params["script_name"]!;
  if (!state.scripts.has(service)) return CloudflareError.scriptNotFound();
  const request = (body ?? {}) as {
    override_scope?: boolean;
    override_existing_origin?: boolean;
    override_existing_dns_record?: boolean;
    origins?: ScriptOrigin[];
  };
  const origins = request.origins ?? [];
  const plans: Plan[] = origins.map((origin) =>
    planAttach(
      state,
      scriptOriginRequest(origin, service),
      {
        existingOrigin: request.override_existing_origin === true,
        existingDnsRecord: request.override_existing_dns_record === true,
      },
      "records",
    ),
  );
  for (const plan of plans) if ("error" in plan) return plan.error;
  if (request.override_scope) {
    const keep = new Set(origins.map((origin) => origin.hostname));
    for (const domain of [...state.workerDomains.values()]) {
      if (domain.service === service && !keep.has(domain.hostname)) detachWorkerDomain(state, domain.id);
    }
  }
  const result = plans.map((plan) => ("existing" in plan ? plan.existing : "attach" in plan ? plan.attach() : undefined));
  return ok(result.filter((domain) => domain !== undefined).map(domainObject));
}

type ScriptOrigin = { hostname: string; zone_id?: string; zone_name?: string; enabled?: boolean; previews_enabled?: boolean };

/** A script-level origin (domains/records, domains/changeset) as the attach planner's request. */
function scriptOriginRequest(origin: ScriptOrigin, service: string): AttachRequest {
  return {
    hostname: origin.hostname,
    service,
    environment: "production",
    zoneId: origin.zone_id,
    zoneName: origin.zone_name,
    enabled: origin.enabled,
    previewsEnabled: origin.previews_enabled,
  };
}

/**
 * wrangler's dry run before publishing Custom Domains: what PUT .../domains/records would do with
 * these origins, changing nothing. Not in Cloudflare's public API reference; the request and the
 * result shape ({added, removed, updated (with `modified`), conflicting}, each a domain object)
 * are what wrangler 4.164 sends and reads (deploy-helpers triggers/publish-routes.ts). wrangler
 * >= 4.1xx POSTs it with and without a terminal; 4.86 only with one. replace_state=true: the
 * script's domains missing from the list are `removed` (as override_scope would detach them).
 */
function postScriptDomainsChangeset({ state, params, query, body }: RequestContext): ApiResponse {
  const service = params["script_name"]!;
  if (!state.scripts.has(service)) return CloudflareError.scriptNotFound();
  const origins = (Array.isArray(body) ? body : []) as ScriptOrigin[];
  const changeset = { added: [] as unknown[], removed: [] as unknown[], updated: [] as unknown[], conflicting: [] as unknown[] };
  for (const origin of origins) {
    const request = scriptOriginRequest(origin, service);
    // Structural errors only (no such zone, hostname outside it): the overrides are on.
    const plan = planAttach(state, request, { existingOrigin: true, existingDnsRecord: true }, "records");
    if ("error" in plan) return plan.error;
    const zone = resolveZone(state, request)!;
    const entry = {
      hostname: origin.hostname,
      service,
      environment: "production",
      zone_id: zone.id,
      zone_name: zone.name,
      enabled: origin.enabled ?? true,
      previews_enabled: origin.previews_enabled ?? false,
    };
    const current = [...state.workerDomains.values()].find((domain) => domain.hostname === origin.hostname);
    if ("existing" in plan) changeset.updated.push({ ...entry, id: plan.existing.id, modified: false });
    else if (current) changeset.updated.push({ ...entry, id: current.id, modified: true });
    else if (externalRecords(state, zone, origin.hostname).length > 0) changeset.conflicting.push(entry);
    else changeset.added.push(entry);
  }
  if (query["replace_state"] === "true") {
    const listed = new Set(origins.map((origin) => origin.hostname));
    for (const domain of state.workerDomains.values()) {
      if (domain.service === service && !listed.has(domain.hostname)) changeset.removed.push(domainObject(domain));
    }
  }
  return ok(changeset);
}
