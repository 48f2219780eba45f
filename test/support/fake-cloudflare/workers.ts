// Workers scripts, versions, deployments, settings and subdomains: what `wrangler deploy`,
// `versions list`, `deployments list`, `rollback` and `delete` call.
import type { Namespace } from "cloudflare/resources/durable-objects/namespaces/namespaces";
import type { Deployment } from "cloudflare/resources/workers/scripts/deployments";
import type { Script } from "cloudflare/resources/workers/scripts/scripts";
import type { SubdomainGetResponse as ScriptSubdomain } from "cloudflare/resources/workers/scripts/subdomain";
import type { VersionGetResponse, VersionListResponse } from "cloudflare/resources/workers/scripts/versions";
import type { SubdomainGetResponse as AccountSubdomain } from "cloudflare/resources/workers/subdomains";
import { CloudflareError, ok, okList, type ApiResponse } from "./envelope.ts";
import type { RequestContext, Route } from "./router.ts";
import {
  activeVersion,
  addDeployment,
  addDurableObjectNamespace,
  addVersion,
  createScript,
  detachWorkerDomain,
  type DeploymentState,
  type FakeCloudflareState,
  type ScriptState,
  type VersionState,
} from "./state.ts";

const SCRIPT = "/accounts/:account_id/workers/scripts/:script_name";

export const workersRoutes: Route[] = [
  { method: "GET", template: "/accounts/:account_id/workers/scripts", handler: listScripts },
  { method: "GET", template: "/accounts/:account_id/workers/services/:script_name", handler: getService },
  { method: "DELETE", template: "/accounts/:account_id/workers/services/:script_name", handler: deleteScript },
  { method: "PUT", template: SCRIPT, handler: putScript },
  { method: "POST", template: `${SCRIPT}/assets-upload-session`, handler: postAssetsUploadSession },
  { method: "DELETE", template: SCRIPT, handler: deleteScript },
  { method: "GET", template: `${SCRIPT}/settings`, handler: getSettings },
  { method: "PATCH", template: `${SCRIPT}/settings`, handler: patchSettings },
  { method: "GET", template: `${SCRIPT}/script-settings`, handler: getScriptSettings },
  { method: "PATCH", template: `${SCRIPT}/script-settings`, handler: patchScriptSettings },
  { method: "GET", template: `${SCRIPT}/subdomain`, handler: getSubdomain },
  { method: "GET", template: `${SCRIPT}/secrets`, handler: listSecrets },
  { method: "POST", template: `${SCRIPT}/subdomain`, handler: postSubdomain },
  { method: "GET", template: `${SCRIPT}/versions`, handler: listVersions },
  { method: "POST", template: `${SCRIPT}/versions`, handler: postVersion },
  { method: "GET", template: `${SCRIPT}/versions/:version_id`, handler: getVersion },
  { method: "GET", template: `${SCRIPT}/deployments`, handler: listDeployments },
  { method: "POST", template: `${SCRIPT}/deployments`, handler: postDeployment },
  { method: "GET", template: `${SCRIPT}/deployments/:deployment_id`, handler: getDeployment },
  { method: "GET", template: "/accounts/:account_id/workers/subdomain", handler: getAccountSubdomain },
  { method: "GET", template: "/accounts/:account_id/workers/workers/:worker_id", handler: getWorker },
  {
    method: "GET",
    template: "/accounts/:account_id/workers/durable_objects/namespaces",
    handler: listDurableObjectNamespaces,
  },
  { method: "GET", template: "/accounts/:account_id/storage/kv/namespaces", handler: (c) => okList([], c.query) },
  // List Applications (Containers API, v4 envelope: wrangler's containers client unwraps
  // `result`). `wrangler delete` >= 4.1xx asks, when the Worker owns Durable Object namespaces,
  // which Container applications use them, to delete those too (src/containers/
  // worker-applications.ts); a failure there is only a warning. This project has no containers.
  { method: "GET", template: "/accounts/:account_id/containers/applications", handler: () => ok([]) },
];

// ---------------------------------------------------------------------------------------------
// Response shapes

/** The SDK's Script, plus `named_handlers`' class entries as wrangler reads them. */
export function scriptObject(script: ScriptState): Script {
  const version = activeVersion(script);
  return {
    id: script.name,
    tag: script.tag,
    tags: script.scriptSettings.tags,
    etag: script.etag,
    handlers: ["fetch"],
    named_handlers: [...script.durableObjectClasses].map((name) => ({ name, handlers: ["class"] })),
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
    migration_tag: script.migrationTag,
    usage_model: "standard",
    compatibility_date: version?.compatibilityDate,
    compatibility_flags: version?.compatibilityFlags ?? [],
    has_modules: true,
    has_assets: false,
    logpush: script.scriptSettings.logpush,
    tail_consumers: script.scriptSettings.tail_consumers as Script["tail_consumers"],
    observability: script.scriptSettings.observability as Script["observability"],
    last_deployed_from: script.lastDeployedFrom,
  };
}

/**
 * A version as the list and get endpoints return it: the SDK's VersionGetResponse (the list type
 * is a subset) plus `annotations` (workers/tag, workers/message, workers/triggered_by), which
 * neither the schema nor the SDK define but Cloudflare returns and wrangler reads. The fake can
 * leave them out of list items (`versionListAnnotations: false`) to exercise the detail fallback.
 */
export type FakeVersion = VersionGetResponse & { annotations?: Record<string, string> };

export function versionObject(script: ScriptState, version: VersionState): FakeVersion {
  return {
    id: version.id,
    number: version.number,
    metadata: {
      author_id: "fake-user-id",
      author_email: "fake-user@example.com",
      source: version.source as NonNullable<VersionGetResponse["metadata"]>["source"],
      created_on: version.createdOn,
      modified_on: version.createdOn,
      hasPreview: false,
    },
    annotations: version.annotations,
    resources: {
      script: {
        etag: script.etag,
        handlers: ["fetch"],
        last_deployed_from: script.lastDeployedFrom,
      },
      script_runtime: {
        ...(version.compatibilityDate !== undefined ? { compatibility_date: version.compatibilityDate } : {}),
        compatibility_flags: version.compatibilityFlags,
        usage_model: "standard",
        limits: {},
      },
      bindings: version.bindings as NonNullable<VersionGetResponse["resources"]["bindings"]>,
    },
  };
}

/** A list item: the SDK's VersionListResponse is a subset of the detail; Cloudflare sends the detail's fields. */
function versionListItem(state: FakeCloudflareState, script: ScriptState, version: VersionState): VersionListResponse & Partial<FakeVersion> {
  const full = versionObject(script, version);
  if (state.versionListAnnotations) return full;
  const { annotations: _dropped, ...rest } = full;
  return rest;
}

export function deploymentObject(deployment: DeploymentState): Deployment {
  return {
    id: deployment.id,
    source: deployment.source,
    strategy: deployment.strategy,
    author_email: deployment.authorEmail,
    created_on: deployment.createdOn,
    annotations: deployment.annotations,
    versions: deployment.versions,
  };
}

// ---------------------------------------------------------------------------------------------
// Static assets (the play page)

/**
 * POST .../assets-upload-session: wrangler registers the asset manifest ({ "/path": { hash,
 * size } }) before uploading the script. Shape from the `cloudflare` SDK
 * (resources/workers/scripts/assets/upload.ts: UploadCreateResponse { jwt?, buckets? }) and
 * https://developers.cloudflare.com/workers/static-assets/direct-upload/. The fake answers as
 * Cloudflare does when every file is already stored: no buckets, and `jwt` is then the completion
 * token the script upload carries. So the files themselves (POST /workers/assets/upload, with the
 * session JWT) are never sent here; a first real deploy does send them.
 */
function postAssetsUploadSession({ body }: RequestContext): ApiResponse {
  const manifest = (body as { manifest?: unknown } | undefined)?.manifest;
  const valid =
    typeof manifest === "object" &&
    manifest !== null &&
    Object.entries(manifest).every(
      ([file, entry]) =>
        file.startsWith("/") &&
        typeof (entry as { hash?: unknown }).hash === "string" &&
        typeof (entry as { size?: unknown }).size === "number",
    );
  if (!valid) return CloudflareError.badRequest("manifest must map /paths to { hash, size }");
  return ok({ jwt: `fake-assets-completion-${Object.keys(manifest).length}`, buckets: [] });
}

// ---------------------------------------------------------------------------------------------
// Scripts and services

function listScripts({ state, query }: RequestContext): ApiResponse {
  return okList([...state.scripts.values()].map(scriptObject), query);
}

function getService({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.serviceNotFound();
  return ok({
    id: script.name,
    default_environment: {
      environment: "production",
      created_on: script.createdOn,
      modified_on: script.modifiedOn,
      script: scriptObject(script),
    },
    created_on: script.createdOn,
    modified_on: script.modifiedOn,
  });
}

function deleteScript({ state, params }: RequestContext): ApiResponse {
  const name = params["script_name"]!;
  if (!state.scripts.has(name)) return CloudflareError.scriptNotFound();
  removeScript(state, name);
  return ok(null);
}

/** Deleting a Worker removes its routes' binding, its Custom Domains and their DNS records. */
function removeScript(state: FakeCloudflareState, name: string): void {
  state.scripts.delete(name);
  for (const [id, route] of state.routes) if (route.script === name) state.routes.delete(id);
  for (const domain of [...state.workerDomains.values()]) {
    if (domain.service === name) detachWorkerDomain(state, domain.id);
  }
  for (const [id, namespace] of state.durableObjectNamespaces) {
    if (namespace.script === name) state.durableObjectNamespaces.delete(id);
  }
}

interface UploadMetadata {
  main_module?: string;
  body_part?: string;
  bindings?: Record<string, unknown>[];
  compatibility_date?: string;
  compatibility_flags?: string[];
  migrations?: {
    old_tag?: string;
    new_tag?: string;
    steps?: Record<string, unknown>[];
  } & Record<string, unknown>;
  annotations?: Record<string, string | undefined>;
  observability?: unknown;
  logpush?: boolean;
  tail_consumers?: unknown[];
  tags?: string[];
  keep_bindings?: string[];
}

/** Validates an upload and returns the version fields plus the migration effect. */
function readUpload(
  context: RequestContext,
  script: ScriptState | undefined,
  scriptName: string,
):
  | { error: ApiResponse }
  | {
      metadata: UploadMetadata;
      version: Omit<VersionState, "id" | "number" | "createdOn" | "source">;
      migration?: { newTag: string | undefined; classes: Set<string>; sqlite: Set<string> };
    } {
  const metadataPart = context.parts?.find((part) => part.name === "metadata");
  if (!metadataPart?.text) {
    return { error: CloudflareError.badRequest("Expected a multipart body with a 'metadata' part") };
  }
  let metadata: UploadMetadata;
  try {
    metadata = JSON.parse(metadataPart.text) as UploadMetadata;
  } catch {
    return { error: CloudflareError.badRequest("The 'metadata' part is not valid JSON") };
  }
  const mainModule = metadata.main_module ?? metadata.body_part;
  const mainPart = context.parts?.find((part) => part.name === mainModule);
  if (!mainModule || !mainPart) {
    return { error: CloudflareError.badRequest(`No such module "${mainModule}" in the upload`) };
  }

  // Durable Object classes after this upload's migrations.
  const classes = new Set(script?.durableObjectClasses ?? []);
  const sqlite = new Set<string>();
  let migration: { newTag: string | undefined; classes: Set<string>; sqlite: Set<string> } | undefined;
  if (metadata.migrations) {
    const migrations = metadata.migrations;
    const steps = migrations.steps ?? [migrations];
    if (migrations.old_tag !== script?.migrationTag) {
      return { error: CloudflareError.migrationTagPrecondition(script?.migrationTag, migrations.old_tag) };
    }
    for (const step of steps) {
      for (const name of asStrings(step["new_classes"])) classes.add(name);
      for (const name of asStrings(step["new_sqlite_classes"])) {
        classes.add(name);
        sqlite.add(name);
      }
      for (const name of asStrings(step["deleted_classes"])) classes.delete(name);
      for (const rename of (step["renamed_classes"] as { from: string; to: string }[] | undefined) ?? []) {
        classes.delete(rename.from);
        classes.add(rename.to);
      }
    }
    migration = { newTag: migrations.new_tag, classes, sqlite };
  }

  const previous = script ? activeVersion(script) : undefined;
  const bindings: Record<string, unknown>[] = [];
  for (const binding of metadata.bindings ?? []) {
    if (binding["type"] === "inherit") {
      const inherited = previous?.bindings.find((old) => old["name"] === binding["name"]);
      if (inherited) bindings.push(inherited);
      continue;
    }
    if (binding["type"] === "ratelimit") {
      const problem = ratelimitBindingProblem(binding);
      if (problem) return { error: CloudflareError.badRequest(problem) };
    }
    if (binding["type"] === "durable_object_namespace") {
      const className = String(binding["class_name"]);
      const otherScript = binding["script_name"] as string | undefined;
      if ((otherScript === undefined || otherScript === scriptName) && !classes.has(className)) {
        return { error: CloudflareError.durableObjectClassNotMigrated(className) };
      }
    }
    bindings.push(binding);
  }
  // keep_bindings: carry over previous bindings of those types the upload didn't name.
  for (const type of metadata.keep_bindings ?? []) {
    for (const old of previous?.bindings ?? []) {
      if (old["type"] === type && !bindings.some((binding) => binding["name"] === old["name"])) {
        bindings.push(old);
      }
    }
  }

  const annotations: Record<string, string> = { "workers/triggered_by": "upload" };
  for (const [key, value] of Object.entries(metadata.annotations ?? {})) {
    if (typeof value === "string") annotations[key] = value;
  }
  return {
    metadata,
    migration,
    version: {
      annotations,
      mainModule,
      mainModuleText: mainPart.text,
      compatibilityDate: metadata.compatibility_date,
      compatibilityFlags: metadata.compatibility_flags ?? [],
      bindings,
      modules: (context.parts ?? [])
        .filter((part) => part.name !== "metadata")
        .map((part) => ({ name: part.name, contentType: part.contentType, size: part.bytes.length })),
      metadata: metadata as Record<string, unknown>,
    },
  };
}

/**
 * A Workers Rate Limiting binding as the API takes it: Cloudflare's OpenAPI schema
 * `WorkersBindingKindRatelimit` is { type: "ratelimit", name, namespace_id: string, simple: {
 * limit: number, period: integer } } (what wrangler 4.86 sends for a `ratelimits` entry), and the
 * binding's documentation allows a period of 10 or 60 seconds only
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/). The error code
 * Cloudflare answers a malformed one with is not documented; the fake uses its generic 10014.
 */
function ratelimitBindingProblem(binding: Record<string, unknown>): string | undefined {
  const simple = binding["simple"] as { limit?: unknown; period?: unknown } | undefined;
  if (typeof binding["name"] !== "string" || binding["name"] === "") return "ratelimit binding: name is required";
  if (typeof binding["namespace_id"] !== "string" || !/^\d+$/.test(binding["namespace_id"])) {
    return `ratelimit binding ${binding["name"]}: namespace_id must be a string of digits`;
  }
  if (typeof simple !== "object" || simple === null || typeof simple.limit !== "number" || simple.limit <= 0) {
    return `ratelimit binding ${binding["name"]}: simple.limit must be a positive number`;
  }
  if (simple.period !== 10 && simple.period !== 60) return `ratelimit binding ${binding["name"]}: simple.period must be 10 or 60`;
  return undefined;
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function applyMigration(
  state: FakeCloudflareState,
  script: ScriptState,
  migration: { newTag: string | undefined; classes: Set<string>; sqlite: Set<string> } | undefined,
): void {
  if (!migration) return;
  script.migrationTag = migration.newTag;
  script.durableObjectClasses = migration.classes;
  for (const className of migration.classes) {
    addDurableObjectNamespace(state, script.name, className, migration.sqlite.has(className));
  }
}

/** Upload Worker Module: a new version, deployed to 100% at once. */
function putScript(context: RequestContext): ApiResponse {
  const { state, params } = context;
  const name = params["script_name"]!;
  const existing = state.scripts.get(name);
  const upload = readUpload(context, existing, name);
  if ("error" in upload) return upload.error;
  const script = existing ?? createScript(state, name);
  applyMigration(state, script, upload.migration);
  applyNonVersionedSettings(script, upload.metadata);
  script.lastDeployedFrom = "wrangler";
  const version = addVersion(script, upload.version);
  addDeployment(script, [{ version_id: version.id, percentage: 100 }], {
    "workers/triggered_by": "upload",
  });
  return ok({
    ...scriptObject(script),
    // wrangler reads this as the new version's id ("Current Version ID").
    deployment_id: version.id,
    startup_time_ms: 1,
  });
}

function applyNonVersionedSettings(script: ScriptState, metadata: UploadMetadata): void {
  if (metadata.observability !== undefined) script.scriptSettings.observability = metadata.observability;
  if (metadata.logpush !== undefined) script.scriptSettings.logpush = metadata.logpush;
  if (metadata.tail_consumers !== undefined) script.scriptSettings.tail_consumers = metadata.tail_consumers;
}

/** Upload Version: stored, not deployed. */
function postVersion(context: RequestContext): ApiResponse {
  const { state, params } = context;
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const upload = readUpload(context, script, script.name);
  if ("error" in upload) return upload.error;
  if (upload.migration) return CloudflareError.versionUploadWithMigration();
  const version = addVersion(script, upload.version);
  return ok({ ...versionObject(script, version), startup_time_ms: 1 });
}

function listVersions({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const items = [...script.versions].reverse().map((version) => versionListItem(state, script, version));
  return ok({ items });
}

function getVersion({ state, params, path }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const version = script.versions.find((candidate) => candidate.id === params["version_id"]);
  if (!version) return CloudflareError.noRoute(path);
  return ok(versionObject(script, version));
}

function listDeployments({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  return ok({ deployments: [...script.deployments].reverse().map(deploymentObject) });
}

function getDeployment({ state, params, path }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const deployment = script.deployments.find((candidate) => candidate.id === params["deployment_id"]);
  if (!deployment) return CloudflareError.noRoute(path);
  return ok(deploymentObject(deployment));
}

/** Create Deployment: version traffic split; also what `wrangler rollback` calls. */
function postDeployment({ state, params, body }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const request = body as
    | { strategy?: string; versions?: { version_id: string; percentage: number }[]; annotations?: Record<string, string> }
    | undefined;
  const versions = request?.versions ?? [];
  if (request?.strategy !== "percentage" || versions.length === 0) {
    return CloudflareError.badRequest("Expected { strategy: 'percentage', versions: [...] }");
  }
  for (const traffic of versions) {
    if (!script.versions.some((version) => version.id === traffic.version_id)) {
      return CloudflareError.badRequest(`Version ${traffic.version_id} does not exist`);
    }
  }
  const total = versions.reduce((sum, traffic) => sum + traffic.percentage, 0);
  if (Math.abs(total - 100) > 1e-9) {
    return CloudflareError.badRequest(`Version percentages must add up to 100, got ${total}`);
  }
  // Going back to an older version than the one now serving is what Cloudflare labels a rollback.
  const current = activeVersion(script);
  const target = script.versions.find((version) => version.id === versions[0]!.version_id)!;
  const isRollback = versions.length === 1 && current !== undefined && target.number < current.number;
  // Cloudflare refuses to roll back across a Durable Object migration (100140, see envelope.ts).
  if (isRollback && target.migrationTag !== current.migrationTag) {
    const namespace = [...state.durableObjectNamespaces.values()].find((candidate) => candidate.script === script.name);
    return CloudflareError.rollbackExternalResources(namespace?.id ?? script.name);
  }
  const annotations: Record<string, string> = {
    "workers/triggered_by": isRollback ? "rollback" : "deployment",
  };
  if (isRollback) {
    const from = script.deployments.at(-1);
    if (from) annotations["workers/rollback_from"] = from.id;
  }
  const message = request.annotations?.["workers/message"];
  if (typeof message === "string") annotations["workers/message"] = message;
  const deployment = addDeployment(script, versions, annotations);
  return ok(deploymentObject(deployment));
}

/**
 * Get Worker (GET /accounts/{account_id}/workers/workers/{worker_id}, the Workers API; the
 * cloudflare SDK's workers.beta.workers `Worker` type). wrangler >= 4.1xx reads the workers.dev /
 * preview URL state here before a deploy (getWorkerSubdomain), where 4.86 read
 * GET .../scripts/:name/subdomain; it passes the Worker's name as worker_id, which the API takes
 * as well as the immutable id.
 */
function getWorker({ state, params }: RequestContext): ApiResponse {
  const key = params["worker_id"]!;
  const script = state.scripts.get(key) ?? [...state.scripts.values()].find((candidate) => candidate.tag === key);
  if (!script) return CloudflareError.scriptNotFound();
  const domains = [...state.workerDomains.values()].filter((domain) => domain.service === script.name);
  return ok({
    id: script.tag,
    name: script.name,
    created_on: script.createdOn,
    updated_on: script.modifiedOn,
    deployed_on: script.deployments.at(-1)?.createdOn ?? null,
    logpush: script.scriptSettings.logpush,
    observability: script.scriptSettings.observability ?? {},
    subdomain: { ...script.subdomain },
    tags: script.scriptSettings.tags ?? [],
    tail_consumers: script.scriptSettings.tail_consumers ?? [],
    references: {
      dispatch_namespace_outbounds: [],
      domains: domains.map((domain) => ({
        id: domain.id,
        certificate_id: domain.certId,
        hostname: domain.hostname,
        zone_id: domain.zoneId,
        zone_name: domain.zoneName,
      })),
      durable_objects: [],
      queues: [],
      workers: [],
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Secrets

/**
 * List Secrets (GET /accounts/{account_id}/workers/scripts/{script_name}/secrets, Cloudflare API
 * reference "Workers > Scripts > Secrets"; the cloudflare SDK's SecretListResponse: { name, type }).
 * wrangler >= 4.1xx calls it before every deploy (deploy-helpers check-remote-secrets-override.ts)
 * and refuses to deploy a --var or binding named like an existing secret; 10007 (no such Worker)
 * means a first deploy and is not an error to it.
 */
function listSecrets({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  return ok(script.secretNames.map((name) => ({ name, type: "secret_text" })));
}

// ---------------------------------------------------------------------------------------------
// Settings

function settingsObject(script: ScriptState): Record<string, unknown> {
  const version = activeVersion(script);
  return {
    bindings: version?.bindings ?? [],
    compatibility_date: version?.compatibilityDate,
    compatibility_flags: version?.compatibilityFlags ?? [],
    logpush: script.scriptSettings.logpush,
    observability: script.scriptSettings.observability,
    placement: {},
    tail_consumers: script.scriptSettings.tail_consumers,
    tags: script.scriptSettings.tags,
    usage_model: "standard",
    limits: {},
  };
}

function getSettings({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  return ok(settingsObject(script));
}

/** Patch Script Settings (multipart, a "settings" part): only the non-versioned fields here. */
function patchSettings({ state, params, parts, body }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const settingsText = parts?.find((part) => part.name === "settings")?.text;
  const settings = (settingsText ? JSON.parse(settingsText) : body) as UploadMetadata | undefined;
  if (settings) applyNonVersionedSettings(script, settings);
  if (settings?.tags !== undefined) script.scriptSettings.tags = settings.tags;
  return ok(settingsObject(script));
}

function getScriptSettings({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  return ok(script.scriptSettings);
}

function patchScriptSettings({ state, params, body }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const patch = (body ?? {}) as Partial<ScriptState["scriptSettings"]>;
  for (const key of ["logpush", "tail_consumers", "observability", "tags"] as const) {
    if (patch[key] !== undefined) (script.scriptSettings as Record<string, unknown>)[key] = patch[key];
  }
  return ok(script.scriptSettings);
}

// ---------------------------------------------------------------------------------------------
// workers.dev

function getSubdomain({ state, params }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  return ok<ScriptSubdomain>(script.subdomain);
}

function postSubdomain({ state, params, body }: RequestContext): ApiResponse {
  const script = state.scripts.get(params["script_name"]!);
  if (!script) return CloudflareError.scriptNotFound();
  const request = (body ?? {}) as { enabled?: boolean; previews_enabled?: boolean };
  if (typeof request.enabled !== "boolean") return CloudflareError.badRequest("enabled is required");
  script.subdomain = {
    enabled: request.enabled,
    previews_enabled: request.previews_enabled ?? request.enabled,
  };
  return ok<ScriptSubdomain>(script.subdomain);
}

function getAccountSubdomain({ state }: RequestContext): ApiResponse {
  return ok<AccountSubdomain>({ subdomain: state.workersSubdomain });
}

function listDurableObjectNamespaces({ state, query }: RequestContext): ApiResponse {
  return okList(
    [...state.durableObjectNamespaces.values()].map((namespace): Namespace => ({
      id: namespace.id,
      name: namespace.name,
      script: namespace.script,
      class: namespace.class,
      use_sqlite: namespace.useSqlite,
    })),
    query,
  );
}
