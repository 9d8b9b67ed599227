import type { ArgDef, CommandDef } from "citty";
import { closest, distance } from "fastest-levenshtein";
import { UsageError } from "./inputs.ts";

/**
 * citty parses leniently: an unknown flag is ignored and a typo like `--output DIR` for
 * `--out DIR` silently changes what runs. This walks the arguments against the command
 * tree first and throws a UsageError (exit 2) naming the first thing it does not know.
 */
export function checkArgs(root: CommandDef<any>, rawArgs: string[], variadic: ReadonlySet<unknown>): void {
  let cmd = root;
  let path = "folio";
  let i = 0;
  for (;;) {
    const subs = cmd.subCommands as Record<string, CommandDef> | undefined;
    if (!subs) break;
    const names = Object.keys(subs);
    const token = rawArgs[i];
    // A command that runs on its own as well (`folio limits`, `folio limits set`): its options follow.
    if (cmd.run && (token === undefined || token.startsWith("-"))) break;
    if (token === undefined) throw new UsageError(`name a command: ${path} ${names.join("|")} (${path} --help shows them)`);
    const sub = subs[token];
    if (!sub) {
      const what = token.startsWith("-") ? "option" : "command";
      throw new UsageError(`unknown ${what} ${token} for ${path}${hint(token.replace(/^-+/, ""), names, "")}`);
    }
    [cmd, path, i] = [sub, `${path} ${token}`, i + 1];
  }
  checkOptions(cmd, path, rawArgs.slice(i), variadic.has(cmd));
}

function checkOptions(cmd: CommandDef, path: string, tokens: string[], manyPositionals: boolean): void {
  const defs = Object.entries((cmd.args ?? {}) as Record<string, ArgDef>);
  const options = new Map<string, ArgDef>();
  for (const [name, def] of defs) {
    if (def.type === "positional") continue;
    options.set(name, def);
    for (const alias of [("alias" in def && def.alias) || []].flat()) options.set(alias, def);
  }
  const longNames = defs.filter(([, d]) => d.type !== "positional").map(([n]) => n);
  let positionals = defs.filter(([, d]) => d.type === "positional").length;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "--") break;
    if (!token.startsWith("-") || token === "-" || /^-\d/.test(token)) {
      if (!manyPositionals && positionals-- <= 0) throw new UsageError(`unexpected argument ${token} for ${path}`);
      continue;
    }
    const long = token.startsWith("--");
    const [name, inline] = splitOnce(token.replace(/^--?/, ""), "=");
    const negated = long && name.startsWith("no-") && options.get(name.slice(3))?.type === "boolean";
    const def = negated ? options.get(name.slice(3)) : options.get(name);
    if (!def || (!long && name.length !== 1)) {
      throw new UsageError(`unknown option ${long ? "--" : "-"}${name} for ${path}${hint(name, longNames, "--")}`);
    }
    if (def.type === "boolean" || inline !== undefined) continue;
    const value = tokens[i + 1];
    if (value === undefined || (value.startsWith("-") && !/^-\d/.test(value))) throw new UsageError(`${token} needs a value${def.valueHint ? ` (${def.valueHint})` : ""}`);
    i++;
  }
}

function splitOnce(text: string, sep: string): [string, string | undefined] {
  const at = text.indexOf(sep);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

/** " (did you mean --out?)" when a known name is near enough to be the one meant. */
function hint(given: string, known: string[], dashes: string): string {
  if (!known.length || !given) return "";
  const best = closest(given, known);
  const near = distance(given, best) <= Math.max(2, Math.ceil(given.length / 2)) || given.startsWith(best) || best.startsWith(given);
  return near ? ` (did you mean ${dashes}${best}?)` : ` (known: ${known.map((k) => dashes + k).join(", ")})`;
}
