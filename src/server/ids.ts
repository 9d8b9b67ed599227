/** Ids users see: a type prefix and 20 random base-36 characters (about 103 bits). */
export function newId(prefix: "j" | "f"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  let id = "";
  for (const b of bytes) id += (b % 36).toString(36);
  return `${prefix}_${id}`;
}

/**
 * A filename is display metadata only (storage keys are generated): keep its last path
 * segment, drop control characters, and bound its length.
 */
export function sanitizeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/[\p{Cc}\p{Cf}]/gu, "").replace(/\s+/g, " ").trim().slice(0, 255);
  return clean && clean !== "." && clean !== ".." ? clean : "upload.pdf";
}
