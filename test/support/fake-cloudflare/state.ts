// The fake account's state: plain maps that handlers read and mutate, and that tests inspect.
import { randomBytes, randomUUID } from "node:crypto";
import type { DetachAnswer, FakeCloudflareOptions, FakeTokenOptions } from "./types.ts";

export interface VersionState {
  id: string;
  number: number;
  createdOn: string;
  /** workers/triggered_by, workers/tag, workers/message */
  annotations: Record<string, string>;
  source: string;
  mainModule?: string;
  compatibilityDate?: string;
  compatibilityFlags: string[];
  bindings: Record<string, unknown>[];
  /** Module parts as uploaded (name, type, size); the main module's text is kept in mainModuleText. */
  modules: { name: string; contentType?: string; size: number }[];
  mainModuleText?: string;
  /** Parsed upload metadata, as received. */
  metadata: Record<string, unknown>;
  /** The script's Durable Object migration tag when this version was uploaded. */
  migrationTag?: string | undefined;
}

export interface DeploymentState {
  id: string;
  createdOn: string;
  source: string;
  strategy: "percentage";
  authorEmail: string;
  annotations: Record<string, string>;
  versions: { version_id: string; percentage: number }[];
}

export interface ScriptState {
  name: string;
  /** Cloudflare's script "tag": a 32-hex id, stable across uploads. */
  tag: string;
  etag: string;
  createdOn: string;
  modifiedOn: string;
  migrationTag?: string;
  /** Classes that applied migrations made Durable Objects. */
  durableObjectClasses: Set<string>;
  /** Oldest first. */
  versions: VersionState[];
  /** Oldest first (the API lists newest first). */
  deployments: DeploymentState[];
  /** Non-versioned settings (script-settings). */
  scriptSettings: {
    logpush: boolean;
    tail_consumers: unknown[] | null;
    observability: unknown;
    tags: string[] | null;
  };
  subdomain: { enabled: boolean; previews_enabled: boolean };
  lastDeployedFrom: string;
  /** Secret names (secret_text); nothing in this project sets one, tests may seed them. */
  secretNames: string[];
}

export interface ZoneState {
  id: string;
  name: string;
  status: "active" | "pending";
  nameServers: string[];
  createdOn: string;
}

export interface DnsRecordState {
  id: string;
  zoneId: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  comment: string | null;
  /** Set when a Workers Custom Domain created the record (read-only in Cloudflare's dashboard). */
  workerDomainId?: string;
  createdOn: string;
  modifiedOn: string;
}

export interface WorkerDomainState {
  id: string;
  hostname: string;
  service: string;
  environment: string;
  zoneId: string;
  zoneName: string;
  certId: string;
  enabled: boolean;
  previewsEnabled: boolean;
}

export interface RouteState {
  id: string;
  zoneId: string;
  pattern: string;
  script: string | null;
}

export interface DurableObjectNamespaceState {
  id: string;
  name: string;
  script: string;
  class: string;
  useSqlite: boolean;
}

export type FakeTokenState = FakeTokenOptions & { id: string };

export interface FakeCloudflareState {
  accountId: string;
  accountName: string;
  workersSubdomain: string;
  tokens: Map<string, FakeTokenState>;
  scripts: Map<string, ScriptState>;
  zones: Map<string, ZoneState>;
  dnsRecords: Map<string, DnsRecordState>;
  workerDomains: Map<string, WorkerDomainState>;
  routes: Map<string, RouteState>;
  durableObjectNamespaces: Map<string, DurableObjectNamespaceState>;
  /** What a successful Detach Domain answers; tests may change it between requests. */
  detachAnswer: DetachAnswer;
  /** Zones are returned without `status`. */
  omitZoneStatus: boolean;
  /** Empty DNS record lists answer `result: null`. */
  nullEmptyDnsList: boolean;
  /** Version list items carry `annotations` (default true; the detail always does). */
  versionListAnnotations: boolean;
}

/** The token used when FakeCloudflareOptions.tokens is omitted. */
export const FAKE_API_TOKEN = "fake-cloudflare-api-token-0000000000000";

export function hexId(): string {
  return randomBytes(16).toString("hex");
}

export function uuid(): string {
  return randomUUID();
}

let lastTimestamp = 0;
/** ISO timestamps that strictly increase, so "newest first" orderings are never ties. */
export function timestamp(): string {
  const now = Math.max(Date.now(), lastTimestamp + 1);
  lastTimestamp = now;
  return new Date(now).toISOString();
}

export function createState(options: FakeCloudflareOptions): FakeCloudflareState {
  const tokens = new Map<string, FakeTokenState>();
  for (const [token, tokenOptions] of Object.entries(
    options.tokens ?? { [FAKE_API_TOKEN]: { status: "active" } as FakeTokenOptions },
  )) {
    tokens.set(token, { ...tokenOptions, id: tokenOptions.id ?? hexId() });
  }
  const state: FakeCloudflareState = {
    accountId: options.accountId,
    accountName: options.accountName ?? "Fake Account",
    workersSubdomain: options.workersSubdomain ?? "fake-account",
    tokens,
    scripts: new Map(),
    zones: new Map(),
    dnsRecords: new Map(),
    workerDomains: new Map(),
    routes: new Map(),
    durableObjectNamespaces: new Map(),
    detachAnswer: options.detachAnswer ?? "envelope",
    omitZoneStatus: options.omitZoneStatus ?? false,
    nullEmptyDnsList: options.nullEmptyDnsList ?? false,
    versionListAnnotations: options.versionListAnnotations ?? true,
  };
  for (const zone of options.zones ?? []) {
    state.zones.set(zone.id, {
      id: zone.id,
      name: zone.name,
      status: zone.status,
      nameServers: zone.nameServers ?? ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"],
      createdOn: timestamp(),
    });
  }
  for (const record of options.dnsRecords ?? []) {
    addDnsRecord(state, {
      id: record.id,
      zoneId: record.zoneId,
      name: record.name,
      type: record.type,
      content: record.content,
      proxied: record.proxied ?? false,
      comment: record.comment ?? null,
    });
  }
  for (const script of options.scripts ?? []) {
    const created = createScript(state, script.name);
    created.migrationTag = script.migrationTag;
    for (const className of script.durableObjectClasses ?? []) {
      created.durableObjectClasses.add(className);
      addDurableObjectNamespace(state, script.name, className, true);
    }
    created.subdomain.enabled = script.workersDev ?? false;
    created.secretNames = [...(script.secretNames ?? [])];
    const version = addVersion(created, {
      annotations: { "workers/triggered_by": "upload" },
      compatibilityDate: script.compatibilityDate ?? "2026-01-01",
      compatibilityFlags: [],
      bindings: script.bindings ?? [],
      mainModule: "index.js",
      modules: [{ name: "index.js", contentType: "application/javascript+module", size: 0 }],
      metadata: {},
    });
    addDeployment(created, [{ version_id: version.id, percentage: 100 }], {
      "workers/triggered_by": "upload",
    });
  }
  for (const domain of options.workerDomains ?? []) {
    const zone = state.zones.get(domain.zoneId);
    attachWorkerDomain(state, {
      id: domain.id,
      hostname: domain.hostname,
      service: domain.service,
      environment: domain.environment ?? "production",
      zoneId: domain.zoneId,
      zoneName: domain.zoneName ?? zone?.name ?? zoneNameFor(domain.hostname),
    });
  }
  return state;
}

function zoneNameFor(hostname: string): string {
  return hostname.split(".").slice(-2).join(".");
}

export function createScript(state: FakeCloudflareState, name: string): ScriptState {
  const now = timestamp();
  const script: ScriptState = {
    name,
    tag: hexId(),
    etag: hexId(),
    createdOn: now,
    modifiedOn: now,
    durableObjectClasses: new Set(),
    versions: [],
    deployments: [],
    scriptSettings: { logpush: false, tail_consumers: null, observability: null, tags: null },
    subdomain: { enabled: false, previews_enabled: false },
    lastDeployedFrom: "wrangler",
    secretNames: [],
  };
  state.scripts.set(name, script);
  return script;
}

export function addVersion(
  script: ScriptState,
  fields: Omit<VersionState, "id" | "number" | "createdOn" | "source"> & { source?: string },
): VersionState {
  const version: VersionState = {
    id: uuid(),
    number: script.versions.length + 1,
    createdOn: timestamp(),
    source: fields.source ?? "wrangler",
    migrationTag: script.migrationTag,
    ...fields,
  };
  script.versions.push(version);
  script.etag = hexId();
  script.modifiedOn = version.createdOn;
  return version;
}

export function addDeployment(
  script: ScriptState,
  versions: { version_id: string; percentage: number }[],
  annotations: Record<string, string>,
  source = "wrangler",
): DeploymentState {
  const deployment: DeploymentState = {
    id: uuid(),
    createdOn: timestamp(),
    source,
    strategy: "percentage",
    authorEmail: "fake-user@example.com",
    annotations,
    versions,
  };
  script.deployments.push(deployment);
  return deployment;
}

export function addDurableObjectNamespace(
  state: FakeCloudflareState,
  scriptName: string,
  className: string,
  useSqlite: boolean,
): void {
  for (const namespace of state.durableObjectNamespaces.values()) {
    if (namespace.script === scriptName && namespace.class === className) return;
  }
  const id = hexId();
  state.durableObjectNamespaces.set(id, {
    id,
    name: `${scriptName}_${className}`,
    script: scriptName,
    class: className,
    useSqlite,
  });
}

/** Adds a DNS record, created and modified now, with a fresh id unless one is given. No conflict checks. */
export function addDnsRecord(
  state: FakeCloudflareState,
  fields: Omit<DnsRecordState, "id" | "createdOn" | "modifiedOn"> & { id?: string | undefined },
): DnsRecordState {
  const now = timestamp();
  const record: DnsRecordState = {
    id: fields.id ?? hexId(),
    zoneId: fields.zoneId,
    name: fields.name,
    type: fields.type,
    content: fields.content,
    proxied: fields.proxied,
    comment: fields.comment,
    ...(fields.workerDomainId !== undefined ? { workerDomainId: fields.workerDomainId } : {}),
    createdOn: now,
    modifiedOn: now,
  };
  state.dnsRecords.set(record.id, record);
  return record;
}

/** The AAAA placeholder Cloudflare points a Custom Domain's proxied record at. */
export const WORKER_DOMAIN_DNS_CONTENT = "100::";

/** Attaches a Custom Domain and creates the DNS record it implies. No conflict checks. */
export function attachWorkerDomain(
  state: FakeCloudflareState,
  fields: Omit<WorkerDomainState, "id" | "certId" | "enabled" | "previewsEnabled"> & {
    id?: string | undefined;
    enabled?: boolean | undefined;
    previewsEnabled?: boolean | undefined;
  },
): WorkerDomainState {
  const domain: WorkerDomainState = {
    id: fields.id ?? hexId(),
    hostname: fields.hostname,
    service: fields.service,
    environment: fields.environment,
    zoneId: fields.zoneId,
    zoneName: fields.zoneName,
    certId: uuid(),
    enabled: fields.enabled ?? true,
    previewsEnabled: fields.previewsEnabled ?? false,
  };
  state.workerDomains.set(domain.id, domain);
  addDnsRecord(state, {
    zoneId: domain.zoneId,
    name: domain.hostname,
    type: "AAAA",
    content: WORKER_DOMAIN_DNS_CONTENT,
    proxied: true,
    comment: null,
    workerDomainId: domain.id,
  });
  return domain;
}

/** Detaches a Custom Domain and removes the DNS record it created. */
export function detachWorkerDomain(state: FakeCloudflareState, domainId: string): void {
  state.workerDomains.delete(domainId);
  for (const [id, record] of state.dnsRecords) {
    if (record.workerDomainId === domainId) state.dnsRecords.delete(id);
  }
}

/** The zone whose name is the longest suffix of hostname, if the fake knows one. */
export function zoneForHostname(state: FakeCloudflareState, hostname: string): ZoneState | undefined {
  let best: ZoneState | undefined;
  for (const zone of state.zones.values()) {
    if (hostname === zone.name || hostname.endsWith(`.${zone.name}`)) {
      if (!best || zone.name.length > best.name.length) best = zone;
    }
  }
  return best;
}

/** The version serving 100% (or the largest share) of the latest deployment. */
export function activeVersion(script: ScriptState): VersionState | undefined {
  const latest = script.deployments.at(-1);
  if (!latest) return script.versions.at(-1);
  const top = [...latest.versions].sort((a, b) => b.percentage - a.percentage)[0];
  return script.versions.find((version) => version.id === top?.version_id);
}
