import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../support/dev-server.ts";
import { classifyApiFailure, CloudflareApiError, CloudflareClient, type FetchLike } from "../../../scripts/lib/cloudflare-api.ts";

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}
const okBody = (result: unknown) => ({ success: true, errors: [], messages: [], result });
const failBody = (code: number, message: string) => ({ success: false, errors: [{ code, message }], messages: [], result: null });

function client(responses: Array<Response | Error>, calls: { url: string; init?: RequestInit }[] = []) {
  let index = 0;
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, ...(init ? { init } : {}) });
    const next = responses[index++] ?? responses.at(-1)!;
    if (next instanceof Error) throw next;
    return next.clone();
  };
  return new CloudflareClient({ token: "tok-123456", baseUrl: "http://api.test/client/v4/", fetch, sleep: async () => {}, backoffBaseMs: 1 });
}

describe("classifyApiFailure", () => {
  it.each([
    [undefined, [], "transient"],
    [500, [], "transient"],
    [503, [{ code: 10013, message: "" }], "transient"],
    [429, [{ code: 971, message: "" }], "transient"],
    [401, [], "auth"],
    [403, [{ code: 10000, message: "Authentication error" }], "auth"],
    [400, [{ code: 9109, message: "Invalid access token" }], "auth"],
    [404, [{ code: 7003, message: "Could not route" }], "not-found"],
    [409, [{ code: 100117, message: "exists" }], "rejected"],
  ] as const)("status %s, errors %j -> %s", (status, errors, kind) => {
    expect(classifyApiFailure(status, [...errors])).toBe(kind);
  });
});

describe("CloudflareClient", () => {
  it("builds the URL from the base, path params and query, and authenticates with the token", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const api = client([jsonResponse(200, okBody([]))], calls);
    await api.listDnsRecords("zone1", "perudo.example.com");
    // The SDK spells the exact-name filter name.exact (Cloudflare's current schema); per_page 100 is the schema's default.
    expect(calls[0]!.url).toBe("http://api.test/client/v4/zones/zone1/dns_records?name.exact=perudo.example.com&per_page=100");
    expect(new Headers(calls[0]!.init!.headers).get("authorization")).toBe("Bearer tok-123456");
  });

  it("retries 5xx and network errors, then succeeds", async () => {
    const calls: { url: string }[] = [];
    const api = client([jsonResponse(503, failBody(10013, "unknown")), new TypeError("fetch failed"), jsonResponse(200, okBody({ id: "z", name: "example.com", status: "active" }))], calls);
    await expect(api.getZone("z")).resolves.toMatchObject({ status: "active" });
    expect(calls).toHaveLength(3);
  });

  it("does not retry a 403, and says which endpoint failed", async () => {
    const calls: { url: string }[] = [];
    const api = client([jsonResponse(403, failBody(10000, "Authentication error"))], calls);
    const error = await api.getZone("z").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error).toMatchObject({ kind: "auth", endpoint: "GET /zones/:zone_id", status: 403 });
    expect(calls).toHaveLength(1);
  });

  it("rejects a result of the wrong shape", async () => {
    const api = client([jsonResponse(200, okBody({ id: 1 }))]);
    await expect(api.getZone("z")).rejects.toThrow(/unexpected result shape/);
  });

  it("attaches a domain with exactly hostname, service, zone_id: no override flags, no deprecated environment", async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    const api = client([jsonResponse(200, okBody({ id: "d", hostname: "h.example.com", service: "w" }))], calls);
    await api.attachWorkerDomain("acct", { hostname: "h.example.com", service: "w", zone_id: "z" });
    expect(calls[0]!.init!.method).toBe("PUT");
    expect(JSON.parse(calls[0]!.init!.body as string)).toEqual({ hostname: "h.example.com", service: "w", zone_id: "z" });
  });

  it("reads every page of a paginated list up to total_pages, and no more", async () => {
    const calls: { url: string }[] = [];
    const record = (id: string) => ({ id, name: "perudo.example.com", type: "TXT", content: id });
    const page = (items: unknown[], n: number) => ({ ...okBody(items), result_info: { page: n, per_page: 1, count: 1, total_count: 2, total_pages: 2 } });
    const api = client([jsonResponse(200, page([record("a")], 1)), jsonResponse(200, page([record("b")], 2))], calls);
    expect((await api.listDnsRecords("zone1", "perudo.example.com")).map((r) => r.id)).toEqual(["a", "b"]);
    expect(calls.map((c) => new URL(c.url).searchParams.get("page"))).toEqual([null, "2"]);
  });

  it("reads a null list result as no items (Cloudflare's answer for an empty DNS list)", async () => {
    const api = client([jsonResponse(200, { ...okBody(null), result_info: { page: 1, per_page: 100, count: 0, total_count: 0, total_pages: 0 } })]);
    await expect(api.listDnsRecords("zone1", "perudo.example.com")).resolves.toEqual([]);
  });

  it("treats success: false as a failure even with HTTP 200, and a non-envelope answer as not Cloudflare's", async () => {
    const failed = await client([jsonResponse(200, failBody(100117, "Hostname already has externally managed DNS records"))])
      .attachWorkerDomain("acct", { hostname: "h.example.com", service: "w", zone_id: "z" })
      .catch((e: unknown) => e);
    expect(failed).toMatchObject({ kind: "rejected", status: 200, endpoint: "PUT /accounts/:account_id/workers/domains" });
    expect((failed as CloudflareApiError).hasCode(100117)).toBe(true);
    const html = new Response("<html>proxy says no</html>", { status: 200, headers: { "content-type": "text/html" } });
    await expect(client([html]).getZone("z")).rejects.toThrow(/unexpected response .*text\/html.*not a Cloudflare API envelope/);
  });

  it("reports a timeout as a transient network failure, and never shows the token", async () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    const error = await client([timeout]).getZone("z").catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "transient", status: undefined });
    expect(String((error as Error).message)).toMatch(/network error reaching http:\/\/api\.test\/client\/v4 \(timed out\)/);
    expect(String((error as Error).message)).not.toContain("tok-123456");
  });

  it("makes a deploy's calls without loading the SDK (importing it costs 0.4-0.6 s per deploy)", () => {
    // A child Node records every module it resolves while running the deploy's calls against a stub fetch.
    const script = `
      import { registerHooks } from "node:module";
      const resolved = [];
      registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); resolved.push(result.url); return result; } });
      const { CloudflareClient } = await import("./scripts/lib/cloudflare-api.ts");
      const ok = (result) => new Response(JSON.stringify({ success: true, errors: [], messages: [], result }), { headers: { "content-type": "application/json" } });
      const api = new CloudflareClient({ token: "t", baseUrl: "http://api.test/client/v4", fetch: async (url) =>
        ok(url.includes("/tokens/verify") ? { id: "t", status: "active" } : url.endsWith("/zones/z") ? { id: "z", name: "example.com", status: "active" } : url.includes("/workers/domains") && !url.includes("?") ? { id: "d", hostname: "h", service: "w" } : []) });
      await api.verifyAccountToken("a"); await api.verifyUserToken(); await api.getZone("z");
      await api.listDnsRecords("z", "h"); await api.listWorkerDomains("a", { hostname: "h" }); await api.listZoneWorkerRoutes("z");
      await api.attachWorkerDomain("a", { hostname: "h", service: "w", zone_id: "z" });
      console.log(JSON.stringify(resolved.filter((url) => url.includes("/node_modules/cloudflare/"))));
    `;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });
});
