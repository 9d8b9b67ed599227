import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";

export type Input = { kind: "file"; path: string; name: string; size: number } | { kind: "url"; url: string; name: string };

/** Thrown for arguments that name nothing: a usage error (exit 2). */
export class UsageError extends Error {}

/** FILE, DIR (every .pdf under it, sorted) or http(s) URL arguments, in order. */
export function expandInputs(args: string[]): Input[] {
  if (args.length === 0) throw new UsageError("name at least one PDF file, directory or URL");
  return args.flatMap((arg): Input[] => {
    if (/^https?:\/\//i.test(arg)) return [{ kind: "url", url: arg, name: urlName(arg) }];
    let stat;
    try {
      stat = statSync(arg);
    } catch {
      throw new UsageError(`no such file or directory: ${arg}`);
    }
    if (stat.isFile()) return [{ kind: "file", path: arg, name: basename(arg), size: stat.size }];
    const pdfs = (readdirSync(arg, { recursive: true }) as string[])
      .filter((p) => p.toLowerCase().endsWith(".pdf"))
      .sort()
      .map((p) => join(arg, p))
      .filter((p) => statSync(p).isFile());
    if (pdfs.length === 0) throw new UsageError(`no .pdf files in ${arg}`);
    return pdfs.map((p) => ({ kind: "file", path: p, name: basename(p), size: statSync(p).size }));
  });
}

/** The last path segment, decoded when it can be (a malformed escape stays as written). */
function urlName(arg: string): string {
  const last = new URL(arg).pathname.split("/").pop() || arg;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}
