/** The timings' declaration and the jobs table agree, so the status writer's SQL names real columns. */
import { expect, test } from "bun:test";
import { getTableColumns } from "drizzle-orm";
import { TIMING_KEYS, TIMINGS } from "../../db/job-status.ts";
import { jobs } from "../../db/schema.ts";

test("every declared timing is an integer column of the jobs table under its declared name", () => {
  const columns = getTableColumns(jobs);
  for (const key of TIMING_KEYS) {
    expect(columns[key]?.name).toBe(TIMINGS[key].column);
    expect(columns[key]?.dataType).toBe("number");
  }
});

test("a timing within another names one that is declared", () => {
  for (const key of TIMING_KEYS) {
    const within = (TIMINGS[key] as { within?: string }).within;
    if (within) expect(TIMING_KEYS).toContain(within as never);
  }
});
