/** Prometheus' own linter (Debian package `prometheus`, installed by `npm run setup:test`). */
export function promtool(args: string[], stdin?: string): { code: number; output: string } {
  const r = Bun.spawnSync(["promtool", ...args], { stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, output: `${r.stdout.toString()}${r.stderr.toString()}` };
}
