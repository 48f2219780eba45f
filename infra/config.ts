// Stack configuration for the perudo-vibe Pulumi program: parsed once, validated with zod, and
// handed to the components as plain values. No Pulumi imports here, so this module is tested as
// plain TypeScript (test/infra/config.test.ts) and its rules are the single source of truth.
import { isIP } from "node:net";
import { z } from "zod";

/** The Pulumi project name, which is also the config namespace (`perudo-vibe:<key>`). */
export const PROJECT = "perudo-vibe";

/** Every config key this program reads, in the order `pulumi config` documents them. */
export const CONFIG_KEYS = [
  "accountId",
  "zone",
  "domain",
  "routing",
  "createZone",
  "workerName",
  "allowedOrigins",
  "frontend",
  "tokenTtlDays",
  "tokenOwner",
  "turnSeconds",
  "deployIps",
  "tokenRotation",
  "wafRateLimit",
  "maxConnectionsPerRoom",
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

export const ROUTING_MODES = ["custom-domain", "route"] as const;
export type Routing = (typeof ROUTING_MODES)[number];

export const TOKEN_OWNERS = ["account", "user"] as const;
export type TokenOwner = (typeof TOKEN_OWNERS)[number];

/** The optional CNAME for the web frontend. */
export interface FrontendRecord {
  /** Hostname of the record, inside the zone, e.g. `play.example.com`. */
  hostname: string;
  /** CNAME target, e.g. `perudo-web.pages.dev`. */
  target: string;
  /** Serve through Cloudflare's proxy (orange cloud). @default true */
  proxied: boolean;
}

/** The validated configuration of one stack (one environment). */
export interface StackConfig {
  /** The Pulumi stack name, e.g. `staging` or `prod`. */
  stack: string;
  /** True on the `prod` stack: DNS records and a created zone are protected from deletion. */
  production: boolean;
  accountId: string;
  zone: string;
  domain: string;
  routing: Routing;
  createZone: boolean;
  workerName: string;
  allowedOrigins: string[];
  frontend: FrontendRecord | undefined;
  tokenTtlDays: number;
  tokenOwner: TokenOwner;
  turnSeconds: number;
  deployIps: string[];
  /** Bump to issue a new deploy token with a fresh expiry; "" until the first rotation. */
  tokenRotation: string;
  /**
   * Requests per 10 seconds one client IP may send to the game's room paths before a zone WAF
   * rate limiting rule blocks it for 10 seconds; 0 means no rule (the default).
   */
  wafRateLimit: number;
  /** Sockets one room accepts, players and spectators together; the Worker's MAX_CONNECTIONS_PER_ROOM. */
  maxConnectionsPerRoom: number;
}

/**
 * Raw values as the Pulumi CLI hands them to the program: every value is a string, lists and
 * objects are JSON text (what `pulumi config set --path` and project defaults produce).
 */
export type RawStackConfig = Readonly<Record<string, string | undefined>>;

/** One problem with one key: what is wrong and the command that fixes it. */
export interface ConfigIssue {
  key: string;
  problem: string;
  fix: string;
}

/** A user-facing configuration failure. Its message is meant to be printed as is. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.issues = issues;
  }
}

/** Stacks treated as production (protect DNS records and a created zone). */
export function isProductionStack(stack: string): boolean {
  return stack === "prod";
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const lines = issues.map(
    (issue) => `  - ${PROJECT}:${issue.key}: ${issue.problem}\n    fix: ${issue.fix}`,
  );
  const noun = issues.length === 1 ? "value is" : "values are";
  return `Invalid stack configuration: ${issues.length} ${noun} wrong.\n${lines.join("\n")}`;
}

const set = (key: string, value: string): string => `pulumi config set ${PROJECT}:${key} ${value}`;
const setPath = (path: string, value: string): string =>
  `pulumi config set --path '${PROJECT}:${path}' ${value}`;

/** The fix command for each key, given what else is known about the stack. */
function fixFor(key: ConfigKey, context: { stack: string; zone: string | undefined }): string {
  const zone = context.zone ?? "example.com";
  switch (key) {
    case "accountId":
      return `${set("accountId", "<32-hex account id>")}  (dashboard URL, or \`npx wrangler whoami\`)`;
    case "zone":
      return set("zone", "example.com");
    case "domain":
      return set("domain", `party.${zone}`);
    case "routing":
      return `${set("routing", "custom-domain")}  (or: route)`;
    case "createZone":
      return `${set("createZone", "false")}  (or: true, to create the zone in the account)`;
    case "workerName":
      return set("workerName", defaultWorkerName(context.stack) ?? "perudo-vibe-staging");
    case "allowedOrigins":
      return `${setPath("allowedOrigins[0]", `https://play.${zone}`)}  (or \`pulumi config rm ${PROJECT}:allowedOrigins\` to allow any origin)`;
    case "frontend":
      return `${setPath("frontend.hostname", `play.${zone}`)} && ${setPath("frontend.target", "perudo-web.pages.dev")}  (or \`pulumi config rm ${PROJECT}:frontend\`)`;
    case "tokenTtlDays":
      return set("tokenTtlDays", "90");
    case "tokenOwner":
      return `${set("tokenOwner", "account")}  (or: user)`;
    case "turnSeconds":
      return set("turnSeconds", "60");
    case "deployIps":
      return `${setPath("deployIps[0]", "203.0.113.0/24")}  (or \`pulumi config rm ${PROJECT}:deployIps\` for no IP condition)`;
    case "tokenRotation":
      return set("tokenRotation", "2026-01-31");
    case "maxConnectionsPerRoom":
      return set("maxConnectionsPerRoom", "64");
    case "wafRateLimit":
      return `${set("wafRateLimit", "100")}  (or 0 for no WAF rule)`;
  }
}

// ---------------------------------------------------------------------------------------------
// Field rules. Each returns a readable problem; the schema below attaches them to keys.

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why `value` is not a lowercase hostname (no scheme, port, path or trailing dot), or undefined. */
export function hostnameProblem(value: string): string | undefined {
  if (value.trim() !== value || value.length === 0) return "must not be empty or padded with spaces";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `must be a bare hostname without a scheme ("${value}")`;
  if (value.includes("/")) return `must be a bare hostname without a path ("${value}")`;
  if (value.includes(":")) return `must be a bare hostname without a port ("${value}")`;
  if (value.endsWith(".")) return `must not end with a dot ("${value}")`;
  if (value !== value.toLowerCase()) return `must be lowercase ("${value.toLowerCase()}")`;
  if (value.length > 253) return "is longer than 253 characters";
  const labels = value.split(".");
  if (labels.length < 2) return `must be a fully qualified name such as example.com ("${value}")`;
  const bad = labels.find((label) => !LABEL.test(label));
  if (bad !== undefined) return `has an invalid label "${bad}" (letters, digits and inner hyphens only)`;
  if (/^\d+$/.test(labels.at(-1) ?? "")) return `must be a domain name, not an IP address ("${value}")`;
  return undefined;
}

/** True when `hostname` is `zone` itself or a name inside it. */
export function isInZone(hostname: string, zone: string): boolean {
  return hostname === zone || hostname.endsWith(`.${zone}`);
}

/** Why `value` is not an https origin such as `https://play.example.com`, or undefined. */
export function originProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL; expected an origin such as https://play.example.com`;
  }
  if (url.protocol !== "https:") return `"${value}" must use https://`;
  if (url.username || url.password) return `"${value}" must not contain credentials`;
  if (url.origin !== value) {
    return `"${value}" must be an origin only (scheme, host and optional port, no path or trailing slash): "${url.origin}"`;
  }
  return undefined;
}

/** Why `value` is not an IPv4/IPv6 CIDR such as 203.0.113.0/24, or undefined. */
export function cidrProblem(value: string): string | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!match) return `"${value}" is not a CIDR such as 203.0.113.0/24 or 2001:db8::/32`;
  const [, address = "", prefix = ""] = match;
  const family = isIP(address);
  if (family === 0) return `"${value}" does not start with an IP address`;
  const max = family === 4 ? 32 : 128;
  if (Number(prefix) > max) return `"${value}" has a prefix length above /${max}`;
  return undefined;
}

/** Default Worker name for a stack: `perudo-vibe-<stack>`, or undefined if that is not valid. */
export function defaultWorkerName(stack: string): string | undefined {
  const name = `${PROJECT}-${stack}`;
  return workerNameProblem(name) === undefined ? name : undefined;
}

export function workerNameProblem(value: string): string | undefined {
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value)) {
    return `"${value}" is not a valid Worker name (lowercase letters, digits and inner hyphens, at most 63 characters)`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Decoding: Pulumi hands every value over as a string.

type Decoded = { ok: true; value: unknown } | { ok: false; problem: string };

function decodeJson(raw: string, shape: string): Decoded {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false, problem: `must be ${shape}, got "${raw}"` };
  }
}

const decoders: Record<ConfigKey, (raw: string) => Decoded> = {
  accountId: (raw) => ({ ok: true, value: raw }),
  zone: (raw) => ({ ok: true, value: raw }),
  domain: (raw) => ({ ok: true, value: raw }),
  routing: (raw) => ({ ok: true, value: raw }),
  // "" (the project default) means perudo-vibe-<stack>.
  workerName: (raw) => ({ ok: true, value: raw === "" ? undefined : raw }),
  tokenOwner: (raw) => ({ ok: true, value: raw }),
  tokenRotation: (raw) => ({ ok: true, value: raw }),
  createZone: (raw) =>
    raw === "true" || raw === "false"
      ? { ok: true, value: raw === "true" }
      : { ok: false, problem: `must be true or false, got "${raw}"` },
  tokenTtlDays: (raw) => decodeInteger(raw),
  turnSeconds: (raw) => decodeInteger(raw),
  wafRateLimit: (raw) => decodeInteger(raw),
  maxConnectionsPerRoom: (raw) => decodeInteger(raw),
  allowedOrigins: (raw) => decodeJson(raw, "a list of origins"),
  deployIps: (raw) => decodeJson(raw, "a list of CIDRs"),
  // "" and {} both mean "no frontend record" ({} is the project default in Pulumi.yaml).
  frontend: (raw) => (raw.trim() === "" ? { ok: true, value: {} } : decodeJson(raw, "an object {hostname, target, proxied?}")),
};

function decodeInteger(raw: string): Decoded {
  return /^-?\d+$/.test(raw.trim())
    ? { ok: true, value: Number(raw.trim()) }
    : { ok: false, problem: `must be a whole number, got "${raw}"` };
}

// ---------------------------------------------------------------------------------------------
// The schema: shapes and single-field rules. Cross-field rules (domain inside zone) come after.

const hostname = z.string().superRefine((value, ctx) => {
  const problem = hostnameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const integerIn = (min: number, max: number, unit: string) =>
  z
    .number({ message: `must be a whole number of ${unit}` })
    .int({ message: `must be a whole number of ${unit}` })
    .min(min, { message: `must be between ${min} and ${max} ${unit}` })
    .max(max, { message: `must be between ${min} and ${max} ${unit}` });

const stringList = (itemProblem: (value: string) => string | undefined, shape: string) =>
  z.array(z.string(), { message: `must be a list of ${shape}` }).superRefine((values, ctx) => {
    values.forEach((value, index) => {
      const problem = itemProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: `item ${index}: ${problem}` });
    });
    const duplicate = values.find((value, index) => values.indexOf(value) !== index);
    if (duplicate !== undefined) ctx.addIssue({ code: "custom", message: `lists "${duplicate}" twice` });
  });

const frontendSchema = z.strictObject(
    {
      hostname: z.string({ message: "needs a hostname (frontend.hostname)" }).superRefine((value, ctx) => {
        const problem = hostnameProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: `hostname ${problem}` });
      }),
      target: z.string({ message: "needs a CNAME target (frontend.target)" }).superRefine((value, ctx) => {
        const problem = hostnameProblem(value);
        if (problem) ctx.addIssue({ code: "custom", message: `target ${problem}` });
      }),
      proxied: z.boolean({ message: "proxied must be true or false" }).default(true),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `only hostname, target and proxied are allowed (not ${issue.keys.join(", ")})`
          : "must be an object {hostname, target, proxied?}",
    },
  );

const schema = z.object({
  accountId: z
    .string({ message: "is required" })
    .regex(/^[0-9a-f]{32}$/, { message: "must be the 32-character lowercase hex Cloudflare account id" }),
  zone: z.string({ message: "is required" }).pipe(hostname),
  domain: z.string({ message: "is required" }).pipe(hostname),
  routing: z.enum(ROUTING_MODES, { message: `must be one of ${ROUTING_MODES.join(", ")}` }).default("custom-domain"),
  createZone: z.boolean().default(false),
  workerName: z
    .string()
    .superRefine((value, ctx) => {
      const problem = workerNameProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  allowedOrigins: stringList(originProblem, "https origins").default([]),
  // Checked on its own below, so its messages name the missing field rather than a union.
  frontend: z.unknown().optional(),
  tokenTtlDays: integerIn(1, 365, "days").default(90),
  tokenOwner: z.enum(TOKEN_OWNERS, { message: `must be one of ${TOKEN_OWNERS.join(", ")}` }).default("account"),
  turnSeconds: integerIn(10, 600, "seconds").default(60),
  deployIps: stringList(cidrProblem, "CIDRs").default([]),
  tokenRotation: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{0,31}$|^$/, {
      message: "must be up to 32 lowercase letters, digits, dots or hyphens (e.g. 2026-01-31)",
    })
    .default(""),
  // 0 = no rule. The Free plan's one rate limiting rule counts per IP over 10 seconds.
  wafRateLimit: z
    .number({ message: "must be a whole number of requests per 10 seconds (0 for no rule)" })
    .int({ message: "must be a whole number of requests per 10 seconds (0 for no rule)" })
    .min(0, { message: "must be 0 (no rule) or between 1 and 100000 requests per 10 seconds" })
    .max(100_000, { message: "must be 0 (no rule) or between 1 and 100000 requests per 10 seconds" })
    .default(0),
  // At least the six seats; every accepted move is one send per socket, so the bound is also the fan-out.
  maxConnectionsPerRoom: integerIn(6, 10_000, "connections").default(64),
});

/**
 * Parses the raw stack configuration. Throws a {@link ConfigError} listing every problem, each
 * with the `pulumi config set` command that fixes it.
 */
export function parseStackConfig(raw: RawStackConfig, stack: string): StackConfig {
  const issues: ConfigIssue[] = [];
  const context = { stack, zone: undefined as string | undefined };
  const zoneRaw = raw[`${PROJECT}:zone`] ?? raw["zone"];
  if (zoneRaw !== undefined && hostnameProblem(zoneRaw) === undefined) context.zone = zoneRaw;
  const issue = (key: ConfigKey | string, problem: string): void => {
    const fix = (CONFIG_KEYS as readonly string[]).includes(key)
      ? fixFor(key as ConfigKey, context)
      : `pulumi config rm ${PROJECT}:${key}`;
    issues.push({ key, problem, fix });
  };

  // Accept both "perudo-vibe:key" and bare "key"; anything else in our namespace is a typo.
  const decoded: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const key = fullKey.startsWith(`${PROJECT}:`) ? fullKey.slice(PROJECT.length + 1) : fullKey;
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const hint = closestKey(key);
      issue(key, `is not a setting of this program${hint ? ` (did you mean ${hint}?)` : ""}`);
      continue;
    }
    const result = decoders[key as ConfigKey](value);
    if (result.ok) decoded[key] = result.value;
    else issue(key, result.problem);
  }

  const parsed = schema.safeParse(decoded);
  if (!parsed.success) {
    const seen = new Set<string>();
    for (const zodIssue of parsed.error.issues) {
      const key = String(zodIssue.path[0] ?? "config");
      const message = `${key}:${zodIssue.message}`;
      if (seen.has(message) || issues.some((existing) => existing.key === key)) continue;
      seen.add(message);
      issue(key, zodIssue.message);
    }
  }
  if (issues.length > 0 || !parsed.success) throw new ConfigError(issues);

  const value = parsed.data;
  if (!isInZone(value.domain, value.zone)) {
    issue("domain", `"${value.domain}" is not inside the zone "${value.zone}"`);
  }
  const frontend = parseFrontend(value.frontend, (problem) => issue("frontend", problem));
  if (frontend) {
    if (!isInZone(frontend.hostname, value.zone)) {
      issue("frontend", `hostname "${frontend.hostname}" is not inside the zone "${value.zone}"`);
    } else if (frontend.hostname === value.domain) {
      issue("frontend", `hostname "${frontend.hostname}" is the backend domain; use another name`);
    } else if (frontend.hostname === value.zone) {
      issue("frontend", `hostname "${frontend.hostname}" is the zone apex, which cannot hold a CNAME next to other records`);
    }
  }
  const workerName = value.workerName ?? defaultWorkerName(stack);
  if (workerName === undefined) {
    issue("workerName", `the default "perudo-vibe-${stack}" is not a valid Worker name for this stack name`);
  }
  if (issues.length > 0 || workerName === undefined) throw new ConfigError(issues);

  return {
    stack,
    production: isProductionStack(stack),
    accountId: value.accountId,
    zone: value.zone,
    domain: value.domain,
    routing: value.routing,
    createZone: value.createZone,
    workerName,
    allowedOrigins: value.allowedOrigins,
    frontend,
    tokenTtlDays: value.tokenTtlDays,
    tokenOwner: value.tokenOwner,
    turnSeconds: value.turnSeconds,
    deployIps: value.deployIps,
    tokenRotation: value.tokenRotation,
    wafRateLimit: value.wafRateLimit,
    maxConnectionsPerRoom: value.maxConnectionsPerRoom,
  };
}

/** `{}` or absent means no frontend record; anything else must be a complete FrontendRecord. */
function parseFrontend(value: unknown, report: (problem: string) => void): FrontendRecord | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  const parsed = frontendSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  report(parsed.error.issues[0]?.message ?? "must be an object {hostname, target, proxied?}");
  return undefined;
}

/** The config key closest to a misspelt one (case-insensitive, at most 2 edits), if any. */
function closestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of CONFIG_KEYS) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
