import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-folio-signature";

const hmac = (secret: string, at: number, body: string) => createHmac("sha256", secret).update(`${at}.${body}`).digest("hex");

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">[,v1=…]`: the timestamp is signed with
 * the body so a receiver can refuse replays of an old delivery; one v1 per secret in use
 * (after a rotation, the previous secret's too, for its grace period).
 */
export function signPayload(secrets: string | string[], body: string, at = Math.floor(Date.now() / 1000)): string {
  return [`t=${at}`, ...[secrets].flat().map((s) => `v1=${hmac(s, at, body)}`)].join(",");
}

/** What a receiver runs: true when any v1 of `header` signs `body` with `secret`, within `toleranceS` of now. */
export function verifySignature(secret: string, body: string, header: string, toleranceS = 300): boolean {
  const parts = header.split(",").map((p) => p.split("=", 2) as [string, string | undefined]);
  const at = Number(parts.find(([k]) => k === "t")?.[1]);
  if (!Number.isInteger(at) || Math.abs(Date.now() / 1000 - at) > toleranceS) return false;
  const expected = Buffer.from(hmac(secret, at, body), "hex");
  return parts.some(([k, v]) => {
    const given = k === "v1" && v ? Buffer.from(v, "hex") : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
