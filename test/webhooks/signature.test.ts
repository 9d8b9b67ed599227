import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { signPayload, verifySignature } from "../../src/webhooks/signature.ts";

describe("webhook signatures", () => {
  const body = JSON.stringify({ event: "job.completed", job: { id: "j_1" } });

  test("the header is t=<unix>,v1=HMAC-SHA256(secret, `t.body`), as a receiver recomputes it", () => {
    const header = signPayload("whsec_abc", body, 1_800_000_000);
    const expected = createHmac("sha256", "whsec_abc").update(`1800000000.${body}`).digest("hex");
    expect(header).toBe(`t=1800000000,v1=${expected}`);
  });

  test("verification accepts the signed body and refuses a changed body, a wrong secret or an old timestamp", () => {
    const header = signPayload("whsec_abc", body);
    expect(verifySignature("whsec_abc", body, header)).toBe(true);
    expect(verifySignature("whsec_abc", body.replace("j_1", "j_2"), header)).toBe(false);
    expect(verifySignature("whsec_other", body, header)).toBe(false);
    const old = signPayload("whsec_abc", body, Math.floor(Date.now() / 1000) - 3600);
    expect(verifySignature("whsec_abc", body, old)).toBe(false);
    expect(verifySignature("whsec_abc", body, "garbage")).toBe(false);
  });

  test("during a rotation's grace period a header carries one v1 per secret; either secret verifies", () => {
    const header = signPayload(["whsec_new", "whsec_old"], body);
    expect(header.split(",")).toHaveLength(3);
    expect(verifySignature("whsec_new", body, header)).toBe(true);
    expect(verifySignature("whsec_old", body, header)).toBe(true);
    expect(verifySignature("whsec_other", body, header)).toBe(false);
  });
});
