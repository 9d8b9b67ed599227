import { chmodSync, mkdirSync } from "node:fs";

/**
 * A folder only its owner can enter (0700): the data directories hold uploaded PDFs, the
 * database and Redis's files. A folder that already exists is narrowed too.
 */
export function privateDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700);
  return path;
}
