import { describe, expect, it } from "vitest";
import { documentedEndpoints } from "../../deploy/support.ts";

describe("documentedEndpoints", () => {
  it("reads `METHOD /path` from the first column of markdown tables only", () => {
    const markdown = [
      "| Endpoint | Called by |",
      "|---|---|",
      "| `GET /zones/:zone_id` | preflight, not `PUT /zones/:zone_id` |",
      "| `PUT /accounts/:account_id/workers/domains` | attach |",
      "| `GET /zones?name=` | query stripped |",
      "Prose mentioning `DELETE /accounts/:account_id` is not a row.",
    ].join("\n");
    expect([...documentedEndpoints(markdown)].sort()).toEqual([
      "GET /zones",
      "GET /zones/:zone_id",
      "PUT /accounts/:account_id/workers/domains",
    ]);
  });
});
