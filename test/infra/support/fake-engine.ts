// A stand-in for the Pulumi engine: the ResourceMonitor and Engine gRPC services the Node SDK
// talks to when the CLI's language host runs a program, served on 127.0.0.1. It answers like the
// engine plus a Cloudflare provider would (URNs, ids, provider outputs, invoke results) and
// records what the program registered, invoked, logged and exported.
//
// The gRPC library, the generated service definitions and google-protobuf are loaded from
// @pulumi/pulumi's own dependency tree, so the messages are exactly the classes the SDK uses.
import { createRequire } from "node:module";
import type { ListedPermissionGroup } from "../../../infra/permissions.ts";

const fromSdk = createRequire(createRequire(import.meta.url).resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = fromSdk("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const resourceGrpc = fromSdk("./proto/resource_grpc_pb.js");
const engineGrpc = fromSdk("./proto/engine_grpc_pb.js");
const resourcePb = fromSdk("./proto/resource_pb.js");
const enginePb = fromSdk("./proto/engine_pb.js");
const { Struct } = fromSdk("google-protobuf/google/protobuf/struct_pb.js");
const { Empty } = fromSdk("google-protobuf/google/protobuf/empty_pb.js");

// Special values in the SDK's wire format (sdk/nodejs/runtime/rpc.ts).
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A value the program marked secret. */
export class Secret {
  readonly value: unknown;

  constructor(value: unknown) {
    this.value = value;
  }
}

/** A value not known yet (preview). */
export const Unknown = Symbol("unknown");

/** Turns the SDK's wire values into plain data, keeping secrets as Secret and unknowns as Unknown. */
export function unwire(value: unknown): unknown {
  if (value === UNKNOWN) return Unknown;
  if (Array.isArray(value)) return value.map(unwire);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  switch (record[SIG]) {
    case SECRET_SIG:
      return new Secret(unwire(record["value"]));
    case OUTPUT_SIG: {
      const inner = "value" in record ? unwire(record["value"]) : Unknown;
      return record["secret"] ? new Secret(inner) : inner;
    }
    case RESOURCE_SIG:
      return record["urn"];
    default:
      return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, unwire(inner)]));
  }
}

export interface RegisteredResource {
  urn: string;
  type: string;
  name: string;
  parent: string;
  custom: boolean;
  protect: boolean;
  ignoreChanges: string[];
  inputs: Record<string, unknown>;
}

export interface LogEntry {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

export interface FakeEngineOptions {
  stack: string;
  project: string;
  /** Zones getZones answers from. */
  zones: { id: string; name: string }[];
  /** What both permission-group lists return. */
  permissionGroups: ListedPermissionGroup[];
}

/** With FAKE_ENGINE_TRACE=1, prints every RPC the program makes (for debugging this harness). */
function traced<T extends Record<string, (call: any, callback: any) => void>>(service: string, handlers: T): T {
  if (!process.env["FAKE_ENGINE_TRACE"]) return handlers;
  const wrapped: Record<string, (call: any, callback: any) => void> = {};
  for (const [name, handler] of Object.entries(handlers)) {
    wrapped[name] = (call, callback) => {
      console.error(`[fake ${service}] ${name}`);
      handler(call, callback);
    };
  }
  return wrapped as T;
}

const SEVERITY: Record<number, LogEntry["severity"]> = { 0: "debug", 1: "info", 2: "warning", 3: "error" };

export class FakePulumiEngine {
  readonly resources: RegisteredResource[] = [];
  readonly invokes: { token: string; args: Record<string, unknown> }[] = [];
  readonly logs: LogEntry[] = [];
  readonly features: string[] = [];
  stackOutputs: Record<string, unknown> | undefined;
  rootUrn = "";
  shutdownSignalled = false;
  #server: import("@grpc/grpc-js").Server | undefined;
  #port = 0;

  readonly options: FakeEngineOptions;

  constructor(options: FakeEngineOptions) {
    this.options = options;
  }

  get address(): string {
    return `127.0.0.1:${this.#port}`;
  }

  async start(): Promise<void> {
    const server = new grpc.Server();
    server.addService(resourceGrpc.ResourceMonitorService, traced("monitor", this.#monitor()));
    server.addService(engineGrpc.EngineService, traced("engine", this.#engine()));
    this.#port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 2_000);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  ofType(type: string): RegisteredResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  errors(): string[] {
    return this.logs.filter((entry) => entry.severity === "error").map((entry) => entry.message);
  }

  #urn(type: string, name: string, parent: string): string {
    const { stack, project } = this.options;
    let qualified = type;
    if (parent && parent !== this.rootUrn) {
      const parentType = parent.split("::")[2] ?? "";
      qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
  }

  /** What the provider would report after create: the inputs plus computed outputs. */
  #providerOutputs(type: string, name: string, inputs: Record<string, unknown>): { id: string; outputs: Record<string, unknown> } {
    const plain = JSON.parse(JSON.stringify(inputs, (_key, value) => (value instanceof Secret ? value.value : value)));
    switch (type) {
      case "pulumi:index:Stash":
        return { id: `${name}-id`, outputs: { input: plain.input, output: plain.input } };
      case "cloudflare:index/zone:Zone":
        return { id: "c0ffee00c0ffee00c0ffee00c0ffee00", outputs: { ...plain, nameServers: ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"] } };
      case "cloudflare:index/accountToken:AccountToken":
      case "cloudflare:index/apiToken:ApiToken":
        return { id: `${name}-id`, outputs: { ...plain, value: `token-secret-${name}`, status: "active" } };
      default:
        return { id: `${name}-id`, outputs: plain };
    }
  }

  #invoke(token: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (token) {
      case "cloudflare:index/getZones:getZones": {
        const account = args["account"] as { id?: string } | undefined;
        const results = this.options.zones
          .filter((zone) => zone.name === args["name"])
          .map((zone) => ({ ...zone, status: "active", account: { id: account?.id ?? "" } }));
        return { ...args, results };
      }
      case "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList":
      case "cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList":
        return {
          ...args,
          results: this.options.permissionGroups.map((group) => ({ ...group, category: "other", isSelectable: true })),
        };
      default:
        throw new Error(`the fake engine has no answer for invoke ${token}`);
    }
  }

  #monitor(): Record<string, (call: any, callback: any) => void> {
    return {
      supportsFeature: (call, callback) => {
        this.features.push(call.request.getId());
        // The engine of a current CLI supports all of these.
        const response = new resourcePb.SupportsFeatureResponse();
        response.setHassupport(true);
        callback(null, response);
      },
      registerPackage: (call, callback) => {
        const response = new resourcePb.RegisterPackageResponse();
        response.setRef(`package-${call.request.getName()}`);
        callback(null, response);
      },
      registerResource: (call, callback) => {
        try {
          const request = call.request;
          const type: string = request.getType();
          const name: string = request.getName();
          const parent: string = request.getParent();
          const custom: boolean = request.getCustom();
          const inputs = (unwire(request.getObject()?.toJavaScript() ?? {}) ?? {}) as Record<string, unknown>;
          const urn = this.#urn(type, name, parent);
          this.resources.push({
            urn,
            type,
            name,
            parent,
            custom,
            protect: request.getProtect() === true,
            ignoreChanges: request.getIgnorechangesList(),
            inputs,
          });
          const response = new resourcePb.RegisterResourceResponse();
          response.setUrn(urn);
          if (custom) {
            const { id, outputs } = this.#providerOutputs(type, name, inputs);
            response.setId(id);
            response.setObject(Struct.fromJavaScript(outputs));
          } else {
            response.setObject(Struct.fromJavaScript({}));
          }
          callback(null, response);
        } catch (error) {
          callback({ code: grpc.status.INTERNAL, details: String(error) });
        }
      },
      registerResourceOutputs: (call, callback) => {
        const urn: string = call.request.getUrn();
        if (urn === this.rootUrn) {
          this.stackOutputs = unwire(call.request.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        }
        callback(null, new Empty());
      },
      invoke: (call, callback) => {
        const token: string = call.request.getTok();
        const args = (unwire(call.request.getArgs()?.toJavaScript() ?? {}) ?? {}) as Record<string, unknown>;
        this.invokes.push({ token, args });
        try {
          // pulumirpc.ResourceMonitor/Invoke answers a ResourceInvokeResponse (resource.proto) in
          // the SDK pinned in package.json; older SDKs used provider.proto's InvokeResponse.
          const response = new resourcePb.ResourceInvokeResponse();
          response.setReturn(Struct.fromJavaScript(this.#invoke(token, args)));
          callback(null, response);
        } catch (error) {
          callback({ code: grpc.status.UNKNOWN, details: String(error) });
        }
      },
      signalAndWaitForShutdown: (_call, callback) => {
        this.shutdownSignalled = true;
        callback(null, new Empty());
      },
    };
  }

  #engine(): Record<string, (call: any, callback: any) => void> {
    return {
      log: (call, callback) => {
        this.logs.push({
          severity: SEVERITY[call.request.getSeverity()] ?? "info",
          message: call.request.getMessage(),
          urn: call.request.getUrn(),
        });
        callback(null, new Empty());
      },
      getRootResource: (_call, callback) => {
        const response = new enginePb.GetRootResourceResponse();
        response.setUrn(this.rootUrn);
        callback(null, response);
      },
      setRootResource: (call, callback) => {
        this.rootUrn = call.request.getUrn();
        callback(null, new enginePb.SetRootResourceResponse());
      },
      requirePulumiVersion: (_call, callback) => {
        callback(null, new enginePb.RequirePulumiVersionResponse());
      },
    };
  }
}
