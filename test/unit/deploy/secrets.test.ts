import { describe, expect, it } from "vitest";
import { createMasker, createMaskingWriter, secretsInEnv } from "../../../scripts/lib/secrets.ts";

describe("masking", () => {
  it("masks every occurrence, including URL-encoded and JSON-escaped forms", () => {
    const masker = createMasker(["tok/en+value==", "another-secret"]);
    expect(masker.mask("a tok/en+value== b tok%2Fen%2Bvalue%3D%3D c another-secret")).toBe("a *** b *** c ***");
  });

  it("ignores values too short to be secrets", () => {
    const masker = createMasker(["abc", "", undefined, null]);
    expect(masker.mask("abc")).toBe("abc");
  });

  it("masks a secret split across stream chunks", () => {
    const masker = createMasker(["SECRET-TOKEN-123"]);
    let out = "";
    const writer = createMaskingWriter(masker, (text) => (out += text));
    writer.write("line one SECRET-");
    writer.write("TOKEN-123 end\npartial SECR");
    writer.write("ET-TOKEN-123");
    writer.end();
    expect(out).toBe("line one *** end\npartial ***");
  });

  it("flushes a long line without a newline but never cuts through a secret", () => {
    const secret = "S".repeat(10) + "ECRET";
    const masker = createMasker([secret]);
    let out = "";
    const writer = createMaskingWriter(masker, (text) => (out += text));
    writer.write("x".repeat(20_000) + secret.slice(0, 7));
    writer.write(secret.slice(7) + " done");
    writer.end();
    expect(out).toBe("x".repeat(20_000) + "*** done");
  });

  it("finds credential-looking variables in an environment", () => {
    expect(
      secretsInEnv({ CLOUDFLARE_API_TOKEN: "bootstrap-token", PULUMI_ACCESS_TOKEN: "pul-123456", HOME: "/root", PULUMI_CONFIG_PASSPHRASE: "pass-phrase" }).sort(),
    ).toEqual(["bootstrap-token", "pass-phrase", "pul-123456"]);
  });
});
