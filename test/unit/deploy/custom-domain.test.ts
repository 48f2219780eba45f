import { describe, expect, it } from "vitest";
import { CloudflareApiError } from "../../../scripts/lib/cloudflare-api.ts";
import { attachError } from "../../../scripts/lib/custom-domain.ts";
import { CredentialsError, DeployError, PreflightError } from "../../../scripts/lib/errors.ts";

const input = { accountId: "a", zoneId: "z", zoneName: "example.com", domain: "perudo.example.com", workerName: "w" };
const apiError = (status: number | undefined, code?: number) =>
  new CloudflareApiError("PUT /accounts/:account_id/workers/domains", status, code ? [{ code, message: `m${code}` }] : [], "failed");

describe("attachError", () => {
  it.each([
    [apiError(409, 100117), PreflightError, /a DNS record already exists there[\s\S]*never overrides/],
    [apiError(409, 100116), PreflightError, /held by another Worker[\s\S]*never takes a hostname over/],
    [apiError(403, 10000), CredentialsError, /may not attach custom domains/],
    [apiError(503, 10013), DeployError, /kept failing/],
    [apiError(undefined), DeployError, /kept failing/],
    [apiError(400, 10014), PreflightError, /refused to attach/],
  ])("maps %s", (error, type, message) => {
    const mapped = attachError(error, input);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).toContain("The Worker w was uploaded, but perudo.example.com does not serve it.");
  });
});
