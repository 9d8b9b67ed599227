/** SHA-256 in lowercase hex: PDF hashes, cache keys and generator fingerprints all use it. */
export function sha256Hex(data: string | Uint8Array): string {
  return new Bun.CryptoHasher("sha256").update(data).digest("hex");
}
