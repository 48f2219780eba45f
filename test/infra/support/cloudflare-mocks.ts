// pulumi.runtime.setMocks for the perudo-vibe program: a stand-in Cloudflare (zones, permission
// groups, tokens) and a stand-in engine for the one engine behaviour the program relies on: a
// Stash keeps the output it was created with (state survives between two "runs").
import * as pulumi from "@pulumi/pulumi";
import type { ListedPermissionGroup } from "../../../infra/permissions.ts";

export const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
export const ZONE_ID = "9a7806061c88ada191ed06f989cc3dac";
export const CREATED_ZONE_ID = "c0ffee00c0ffee00c0ffee00c0ffee00";
export const NAMESERVERS = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"];

/** A slice of Cloudflare's real list: our groups, look-alikes in other scopes, and others. */
export const PERMISSION_GROUPS: ListedPermissionGroup[] = [
  { id: "e086da7e2179491d91ee5f35b3ca210a", name: "Workers Scripts Write", scopes: ["com.cloudflare.api.account"] },
  { id: "c1fde68c7bcc44588cbb6ddbc16d6480", name: "Account Settings Read", scopes: ["com.cloudflare.api.account"] },
  { id: "05880cd1bdc24d8bae0be2136972816b", name: "Workers Tail Read", scopes: ["com.cloudflare.api.account"] },
  { id: "c8fed203ed3043cba015a93ad1616f1f", name: "Zone Read", scopes: ["com.cloudflare.api.account.zone"] },
  { id: "82e64a83756745bbbb1c9c2701bf816b", name: "DNS Read", scopes: ["com.cloudflare.api.account.zone"] },
  { id: "28f4b596e7d643029c524985477ae49a", name: "Workers Routes Write", scopes: ["com.cloudflare.api.account.zone"] },
  { id: "f7f0eda5697f475c90846e879bab8666", name: "Workers KV Storage Write", scopes: ["com.cloudflare.api.account"] },
  { id: "bf7481a1826f439697cb59a20b22293e", name: "Workers R2 Storage Write", scopes: ["com.cloudflare.api.account"] },
  { id: "8d28297797f24fb8a0c332fe0866ec89", name: "Pages Write", scopes: ["com.cloudflare.api.account"] },
  { id: "4755a26eedb94da69e1066d98aa820be", name: "DNS Write", scopes: ["com.cloudflare.api.account.zone"] },
  { id: "3030687196b94b638145a3953da2b699", name: "Zone Settings Write", scopes: ["com.cloudflare.api.account.zone"] },
  { id: "1e13c5124ca64b72b1969a67e8829049", name: "Access: Apps and Policies Write", scopes: ["com.cloudflare.api.account"] },
  { id: "3b94c49258ec4573b06d51d99b6416c0", name: "User Details Read", scopes: ["com.cloudflare.api.user"] },
];

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

export interface RecordedCall {
  token: string;
  inputs: Record<string, any>;
}

export interface RecordedOptions {
  type: string;
  name: string;
  protect: boolean | undefined;
  ignoreChanges: string[] | undefined;
  parent: string | undefined;
  /** The replacementTrigger option as given (an Output for the deploy token). */
  replacementTrigger: unknown;
}

export interface MockCloudflareOptions {
  /** Zones in the account (getZones answers from these). @default [example.com] */
  zones?: { id: string; name: string }[];
  /** What the permission-group lists return. @default PERMISSION_GROUPS */
  permissionGroups?: ListedPermissionGroup[];
  /** Engine state carried between runs: stash outputs by resource name. */
  state?: Map<string, unknown>;
}

/** One program run's view: what was registered and invoked, and the option bag per resource. */
export class MockCloudflare {
  readonly resources: RecordedResource[] = [];
  readonly calls: RecordedCall[] = [];
  readonly options: RecordedOptions[] = [];
  readonly state: Map<string, unknown>;
  readonly #zones: { id: string; name: string }[];
  readonly #groups: ListedPermissionGroup[];

  constructor(options: MockCloudflareOptions = {}) {
    this.state = options.state ?? new Map();
    this.#zones = options.zones ?? [{ id: ZONE_ID, name: "example.com" }];
    this.#groups = options.permissionGroups ?? PERMISSION_GROUPS;
  }

  /** Installs the mocks for a stack; call before declaring resources. */
  async install(stack: string, preview = false): Promise<void> {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => this.#newResource(args),
        call: (args) => this.#call(args),
      },
      "perudo-vibe",
      stack,
      preview,
    );
  }

  /** A transformation that records each resource's options (mocks do not see them). */
  readonly recordOptions: pulumi.ResourceTransformation = (args) => {
    this.options.push({
      type: args.type,
      name: args.name,
      protect: args.opts.protect,
      ignoreChanges: args.opts.ignoreChanges,
      parent: (args.opts.parent as { __name?: string } | undefined)?.__name,
      replacementTrigger: (args.opts as { replacementTrigger?: unknown }).replacementTrigger,
    });
    return undefined;
  };

  ofType(type: string): RecordedResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  optionsOf(name: string): RecordedOptions | undefined {
    return this.options.find((options) => options.name === name);
  }

  #newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    this.resources.push({ type: args.type, name: args.name, inputs: args.inputs });
    switch (args.type) {
      case "pulumi:index:Stash": {
        // The engine keeps a stash's first value; later inputs do not change its output.
        const stored = this.state.has(args.name) ? this.state.get(args.name) : args.inputs.input;
        this.state.set(args.name, stored);
        return { id: `${args.name}-id`, state: { input: args.inputs.input, output: stored } };
      }
      case "cloudflare:index/zone:Zone":
        return {
          id: CREATED_ZONE_ID,
          state: { ...args.inputs, nameServers: NAMESERVERS, status: "pending" },
        };
      case "cloudflare:index/accountToken:AccountToken":
      case "cloudflare:index/apiToken:ApiToken":
        return {
          id: `${args.name}-id`,
          state: { ...args.inputs, value: `secret-value-of-${args.name}`, status: "active" },
        };
      default:
        return { id: `${args.name}-id`, state: args.inputs };
    }
  }

  #call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    this.calls.push({ token: args.token, inputs: args.inputs });
    switch (args.token) {
      case "cloudflare:index/getZones:getZones": {
        const results = this.#zones
          .filter((zone) => zone.name === args.inputs.name)
          .map((zone) => ({ ...zone, account: { id: ACCOUNT_ID } }));
        return { ...args.inputs, results };
      }
      case "cloudflare:index/getAccountApiTokenPermissionGroupsList:getAccountApiTokenPermissionGroupsList":
      case "cloudflare:index/getApiTokenPermissionGroupsList:getApiTokenPermissionGroupsList":
        return { ...args.inputs, results: this.#groups.map((group) => ({ ...group, category: "x", isSelectable: true })) };
      default:
        throw new Error(`unexpected invoke ${args.token}`);
    }
  }
}

/** The resolved value of an Output (in tests, where everything is known). */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(output).apply((value) => resolve(value as T)));
}

/** Waits until every registration and invoke the program started has been answered. */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  await runtime.waitForRPCs?.();
  await new Promise((resolve) => setImmediate(resolve));
}
