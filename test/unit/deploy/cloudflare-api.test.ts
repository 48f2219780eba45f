import { describe, expect, it } from "vitest";
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
});
