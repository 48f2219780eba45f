// The doctor's pure judging: which groups the bootstrap token needs, which resources cover what,
// deny policies, and the version ranges it reads.
import { describe, expect, it } from "vitest";
import { assessGrants, coversTarget, requiredBootstrapGrants, satisfies } from "../../../scripts/ops/doctor-checks.ts";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const ZONE = "9a7806061c88ada191ed06f989cc3dac";
const ids = { accountId: ACCOUNT, zoneId: ZONE };

describe("requiredBootstrapGrants", () => {
  it("asks for Zone WAF Write on the zone only when the stack manages the WAF rule", () => {
    const without = requiredBootstrapGrants({ routing: "custom-domain", tokenOwner: "account", createZone: false, wafRateLimit: 0 });
    const withRule = requiredBootstrapGrants({ routing: "custom-domain", tokenOwner: "account", createZone: false, wafRateLimit: 100 });
    expect(without.map((grant) => grant.group)).not.toContain("Zone WAF Write");
    expect(withRule.filter((grant) => grant.group === "Zone WAF Write").map((grant) => grant.target)).toEqual(["zone"]);
    expect(withRule.length).toBe(without.length + 1);
  });

  it("is API Tokens Write plus every deploy-token group at the same scope, and pulumi's own zone groups", () => {
    const grants = requiredBootstrapGrants({ routing: "custom-domain", tokenOwner: "account", createZone: false });
    expect(grants.map((grant) => `${grant.group}@${grant.target}`)).toEqual([
      "API Tokens Write@account",
      "Zone Read@zone",
      "DNS Write@zone",
      "Workers Scripts Write@account",
      "Account Settings Read@account",
      "Workers Tail Read@account",
      "DNS Read@zone",
    ]);
  });

  it("adds Workers Routes Write in route mode, user-level API Tokens Write for user tokens, account zones with createZone", () => {
    const route = requiredBootstrapGrants({ routing: "route", tokenOwner: "user", createZone: true });
    expect(route).toContainEqual(expect.objectContaining({ group: "Workers Routes Write", target: "account-zones" }));
    expect(route).toContainEqual(expect.objectContaining({ group: "API Tokens Write", target: "user" }));
    expect(route).toContainEqual(expect.objectContaining({ group: "Zone Write", target: "account-zones" }));
  });
});

describe("coversTarget", () => {
  it.each([
    [{ [`com.cloudflare.api.account.${ACCOUNT}`]: "*" }, "account", true],
    [{ "com.cloudflare.api.account.*": "*" }, "account", true],
    [{ "com.cloudflare.api.account.ffffffffffffffffffffffffffffffff": "*" }, "account", false],
    [{ [`com.cloudflare.api.account.zone.${ZONE}`]: "*" }, "zone", true],
    [{ "com.cloudflare.api.account.zone.*": "*" }, "zone", true],
    [{ [`com.cloudflare.api.account.${ACCOUNT}`]: { "com.cloudflare.api.account.zone.*": "*" } }, "zone", true],
    [{ [`com.cloudflare.api.account.zone.${ZONE}`]: "*" }, "account-zones", false],
    [{ [`com.cloudflare.api.account.${ACCOUNT}`]: { "com.cloudflare.api.account.zone.*": "*" } }, "account-zones", true],
    [{ "com.cloudflare.api.user.abc": "*" }, "user", true],
    [{ [`com.cloudflare.api.account.${ACCOUNT}`]: "*" }, "zone", false],
  ] as const)("%j covers %s: %s", (resources, target, expected) => {
    expect(coversTarget(resources, target, ids)).toBe(expected);
  });
});

describe("assessGrants", () => {
  const required = requiredBootstrapGrants({ routing: "custom-domain", tokenOwner: "account", createZone: false });
  const names = new Map([["g-dns-read", "DNS Read"]]);
  const policy = (effect: string, groups: { id: string; name?: string }[], resources: Record<string, unknown>) => ({
    effect,
    permission_groups: groups,
    resources,
  });
  const all = [
    policy("allow", ["API Tokens Write", "Workers Scripts Write", "Account Settings Read", "Workers Tail Read"].map((name) => ({ id: name, name })), {
      [`com.cloudflare.api.account.${ACCOUNT}`]: "*",
    }),
    policy("allow", [{ id: "Zone Read", name: "Zone Read" }, { id: "DNS Write", name: "DNS Write" }, { id: "g-dns-read" }], {
      [`com.cloudflare.api.account.zone.${ZONE}`]: "*",
    }),
  ];

  it("names groups by the permission-group list when the policy gives only ids", () => {
    expect(assessGrants({ policies: all }, required, names, ids).missing).toEqual([]);
  });

  it("a deny policy on the same resources takes a group away", () => {
    const denied = [...all, policy("deny", [{ id: "g-dns-read" }], { "com.cloudflare.api.account.zone.*": "*" })];
    expect(assessGrants({ policies: denied }, required, names, ids).missing.map((grant) => grant.group)).toEqual(["DNS Read"]);
  });

  it("a zone group held on another zone does not count", () => {
    const elsewhere = [all[0]!, { ...all[1]!, resources: { "com.cloudflare.api.account.zone.00000000000000000000000000000000": "*" } }];
    expect(assessGrants({ policies: elsewhere }, required, names, ids).missing.map((grant) => grant.group)).toEqual(["Zone Read", "DNS Write", "DNS Read"]);
  });
});

describe("satisfies", () => {
  it.each([
    ["20.20.2", ">=20.3.0", true],
    ["20.2.0", ">=20.3.0", false],
    ["22.12.0", ">=22.12.0", true],
    ["20.19.0", "^20.19.0 || >=22.12.0", true],
    ["21.0.0", "^20.19.0 || >=22.12.0", false],
    ["4.86.0", "4.86.0", true],
    ["4.87.0", "4.86.0", false],
    ["4.90.1", "^4.86.0", true],
    ["5.0.0", "^4.86.0", false],
    ["4.86.3", "~4.86.0", true],
  ] as const)("%s in %s: %s", (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it("says undefined for a range it does not read", () => {
    expect(satisfies("20.0.0", "20.x")).toBeUndefined();
  });
});
