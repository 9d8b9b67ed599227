import { readFileSync } from "node:fs";

/** CPU seconds a process has used (user + system), from /proc: clock ticks are 1/100 s on Linux. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
