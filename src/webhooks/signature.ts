import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-folio-signature";

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`: the timestamp is signed with the
 * body so a receiver can refuse replays of an old delivery.
 */
export function signPayload(secret: string, body: string, at = Math.floor(Date.now() / 1000)): string {
  return `t=${at},v1=${createHmac("sha256", secret).update(`${at}.${body}`).digest("hex")}`;
}

/** What a receiver runs: true when `header` signs `body` with `secret` within `toleranceS` of now. */
export function verifySignature(secret: string, body: string, header: string, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const at = Number(parts.t);
  if (!Number.isInteger(at) || !parts.v1 || Math.abs(Date.now() / 1000 - at) > toleranceS) return false;
  const expected = Buffer.from(signPayload(secret, body, at).split("v1=")[1]!, "hex");
  const given = Buffer.from(parts.v1, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
