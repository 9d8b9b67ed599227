import { readdirSync, readFileSync } from "node:fs";

/** A /proc stat file's name and CPU seconds (user + system): clock ticks are 1/100 s on Linux. */
function readStat(path: string): { name: string; seconds: number } {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), seconds: (Number(fields[11]) + Number(fields[12])) / 100 };
}

/** CPU seconds a process has used. */
export const cpuSeconds = (pid: number): number => readStat(`/proc/${pid}/stat`).seconds;

/** CPU seconds per thread of a process, keyed by its name and thread id. */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const threads = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const { name, seconds } = readStat(`/proc/${pid}/task/${tid}/stat`);
    threads.set(`${name} (${tid})`, seconds);
  }
  return threads;
}
