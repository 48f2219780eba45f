// The stack config schema as plain TypeScript: defaults, and one failing value per key, each
// reported with the key, what is wrong and the `pulumi config set` command that fixes it.
import { describe, expect, it } from "vitest";
import { CONFIG_KEYS, ConfigError, parseStackConfig, type RawStackConfig } from "../../infra/config.ts";

const ACCOUNT_ID = "0123456789abcdef0123456789abcdef";
const VALID = {
  "perudo-vibe:accountId": ACCOUNT_ID,
  "perudo-vibe:zone": "example.com",
  "perudo-vibe:domain": "party.example.com",
};

function failure(extra: RawStackConfig, stack = "staging"): ConfigError {
  try {
    parseStackConfig({ ...VALID, ...extra }, stack);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(extra)}`);
}

describe("valid configuration", () => {
  it("applies the documented defaults", () => {
    expect(parseStackConfig(VALID, "staging")).toEqual({
      stack: "staging",
      production: false,
      accountId: ACCOUNT_ID,
      zone: "example.com",
      domain: "party.example.com",
      routing: "custom-domain",
      createZone: false,
      workerName: "perudo-vibe-staging",
      allowedOrigins: [],
      frontend: undefined,
      tokenTtlDays: 90,
      tokenOwner: "account",
      turnSeconds: 60,
      deployIps: [],
      tokenRotation: "",
      wafRateLimit: 0,
      maxConnectionsPerRoom: 64,
    });
  });

  it("reads values the way the Pulumi CLI passes them (strings, JSON for lists and objects, project defaults)", () => {
    const parsed = parseStackConfig(
      {
        ...VALID,
        "perudo-vibe:routing": "route",
        "perudo-vibe:createZone": "true",
        "perudo-vibe:workerName": "",
        "perudo-vibe:allowedOrigins": '["https://play.example.com","https://localhost:8443"]',
        "perudo-vibe:frontend": '{"hostname":"play.example.com","target":"perudo-web.pages.dev","proxied":false}',
        "perudo-vibe:tokenTtlDays": "365",
        "perudo-vibe:tokenOwner": "user",
        "perudo-vibe:turnSeconds": "10",
        "perudo-vibe:deployIps": '["203.0.113.0/24","2001:db8::/32"]',
        "perudo-vibe:tokenRotation": "2026-01-31",
        "perudo-vibe:wafRateLimit": "120",
        "perudo-vibe:maxConnectionsPerRoom": "200",
      },
      "prod",
    );
    expect(parsed).toMatchObject({
      production: true,
      routing: "route",
      createZone: true,
      workerName: "perudo-vibe-prod",
      allowedOrigins: ["https://play.example.com", "https://localhost:8443"],
      frontend: { hostname: "play.example.com", target: "perudo-web.pages.dev", proxied: false },
      tokenTtlDays: 365,
      tokenOwner: "user",
      turnSeconds: 10,
      deployIps: ["203.0.113.0/24", "2001:db8::/32"],
      tokenRotation: "2026-01-31",
      wafRateLimit: 120,
      maxConnectionsPerRoom: 200,
    });
  });

  it("accepts the zone apex as the domain, and {} as no frontend", () => {
    const parsed = parseStackConfig({ ...VALID, "perudo-vibe:domain": "example.com", "perudo-vibe:frontend": "{}" }, "dev");
    expect(parsed.domain).toBe("example.com");
    expect(parsed.frontend).toBeUndefined();
  });

  it("treats only the prod stack as production", () => {
    expect(parseStackConfig(VALID, "prod").production).toBe(true);
    for (const stack of ["staging", "production", "prod2", "dev"]) {
      expect(parseStackConfig(VALID, stack).production).toBe(false);
    }
  });
});

// One failing value per key: [key, raw value, expected problem, expected fix].
const CASES: [string, string | undefined, RegExp, string][] = [
  ["accountId", "0123456789ABCDEF", /32-character lowercase hex/, "pulumi config set perudo-vibe:accountId"],
  ["zone", "Example.com", /must be lowercase/, "pulumi config set perudo-vibe:zone example.com"],
  ["domain", "https://party.example.com/", /without a scheme/, "pulumi config set perudo-vibe:domain party.example.com"],
  ["routing", "worker-route", /one of custom-domain, route/, "pulumi config set perudo-vibe:routing custom-domain"],
  ["createZone", "yes", /true or false/, "pulumi config set perudo-vibe:createZone false"],
  ["workerName", "Perudo_Vibe", /not a valid Worker name/, "pulumi config set perudo-vibe:workerName perudo-vibe-staging"],
  ["allowedOrigins", '["http://play.example.com"]', /must use https/, "pulumi config set --path 'perudo-vibe:allowedOrigins[0]'"],
  ["frontend", '{"hostname":"play.example.com"}', /needs a CNAME target/, "pulumi config set --path 'perudo-vibe:frontend.hostname'"],
  ["tokenTtlDays", "0", /between 1 and 365 days/, "pulumi config set perudo-vibe:tokenTtlDays 90"],
  ["tokenOwner", "team", /one of account, user/, "pulumi config set perudo-vibe:tokenOwner account"],
  ["turnSeconds", "601", /between 10 and 600 seconds/, "pulumi config set perudo-vibe:turnSeconds 60"],
  ["deployIps", '["203.0.113.7"]', /not a CIDR/, "pulumi config set --path 'perudo-vibe:deployIps[0]'"],
  ["tokenRotation", "Next Week", /up to 32 lowercase/, "pulumi config set perudo-vibe:tokenRotation"],
  ["maxConnectionsPerRoom", "5", /between 6 and 10000 connections/, "pulumi config set perudo-vibe:maxConnectionsPerRoom 64"],
  ["wafRateLimit", "-5", /0 \(no rule\) or between 1 and 100000/, "pulumi config set perudo-vibe:wafRateLimit 100"],
];

describe("one clear error per key", () => {
  it("has a case for every key", () => {
    expect(CASES.map(([key]) => key).sort()).toEqual([...CONFIG_KEYS].sort());
  });

  for (const [key, value, problem, fix] of CASES) {
    it(`${key}: names the key, the problem and the fix`, () => {
      const error = failure({ [`perudo-vibe:${key}`]: value });
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]!.key).toBe(key);
      expect(error.message).toContain(`perudo-vibe:${key}:`);
      expect(error.message).toMatch(problem);
      expect(error.message).toContain(fix);
      expect(error.message).not.toMatch(/\n\s+at /);
    });
  }
});

describe("cross-field and shape rules", () => {
  it("rejects a domain outside the zone", () => {
    const error = failure({ "perudo-vibe:domain": "party.example.org" });
    expect(error.message).toContain('"party.example.org" is not inside the zone "example.com"');
    expect(error.message).toContain("pulumi config set perudo-vibe:domain party.example.com");
  });

  it("rejects a suffix look-alike (notexample.com is not inside example.com)", () => {
    expect(failure({ "perudo-vibe:domain": "party.notexample.com" }).issues[0]!.key).toBe("domain");
  });

  it("rejects ports, paths, trailing dots, uppercase and bare labels in the domain", () => {
    for (const [domain, problem] of [
      ["party.example.com:8443", /without a port/],
      ["party.example.com/ws", /without a path/],
      ["party.example.com.", /must not end with a dot/],
      ["Party.example.com", /must be lowercase/],
      ["party", /fully qualified/],
      ["-party.example.com", /invalid label/],
    ] as const) {
      expect(failure({ "perudo-vibe:domain": domain }).message).toMatch(problem);
    }
  });

  it("reports every missing required key", () => {
    const error = failure({ "perudo-vibe:accountId": undefined, "perudo-vibe:domain": undefined });
    expect(error.issues.map((issue) => issue.key).sort()).toEqual(["accountId", "domain"]);
    expect(error.message).toMatch(/2 values are wrong/);
  });

  it("rejects a frontend outside the zone, on the backend domain, or with unknown fields", () => {
    const frontend = (value: object) => failure({ "perudo-vibe:frontend": JSON.stringify(value) }).message;
    expect(frontend({ hostname: "play.other.com", target: "x.pages.dev" })).toMatch(/not inside the zone/);
    expect(frontend({ hostname: "party.example.com", target: "x.pages.dev" })).toMatch(/is the backend domain/);
    expect(frontend({ hostname: "play.example.com", target: "x.pages.dev", ttl: 1 })).toMatch(/only hostname, target and proxied/);
    expect(failure({ "perudo-vibe:frontend": "play.example.com" }).message).toMatch(/must be an object/);
  });

  it("rejects origins with paths, duplicates, and lists given as plain strings", () => {
    expect(failure({ "perudo-vibe:allowedOrigins": '["https://play.example.com/"]' }).message).toMatch(/origin only/);
    expect(failure({ "perudo-vibe:allowedOrigins": '["https://a.example.com","https://a.example.com"]' }).message).toMatch(/twice/);
    expect(failure({ "perudo-vibe:allowedOrigins": "https://play.example.com" }).message).toMatch(/must be a list of origins/);
  });

  it("rejects CIDR prefixes beyond the address size", () => {
    expect(failure({ "perudo-vibe:deployIps": '["203.0.113.0/33"]' }).message).toMatch(/above \/32/);
    expect(failure({ "perudo-vibe:deployIps": '["2001:db8::/129"]' }).message).toMatch(/above \/128/);
  });

  it("rejects non-integers for whole-number keys", () => {
    expect(failure({ "perudo-vibe:tokenTtlDays": "1.5" }).message).toMatch(/whole number/);
    expect(failure({ "perudo-vibe:turnSeconds": "sixty" }).message).toMatch(/whole number/);
  });

  it("flags a misspelt key with a suggestion instead of ignoring it", () => {
    const error = failure({ "perudo-vibe:turnSecond": "30" });
    expect(error.message).toContain("perudo-vibe:turnSecond: is not a setting of this program (did you mean turnSeconds?)");
    expect(error.message).toContain("pulumi config rm perudo-vibe:turnSecond");
  });

  it("asks for an explicit workerName when the stack name cannot make one", () => {
    const error = failure({}, "Feature_Branch");
    expect(error.issues[0]!.key).toBe("workerName");
    expect(error.message).toContain("pulumi config set perudo-vibe:workerName");
  });
});
