/**
 * A hot-path benchmark is a comparison: the project's code against a reference measured in
 * the same run, so the figure that is kept is a ratio that survives a noisy machine.
 * ratio = reference time / project time: 1 means as fast as the reference, above 1 faster.
 */
export interface Comparison {
  name: string;
  project: () => unknown | Promise<unknown>;
  reference: () => unknown | Promise<unknown>;
  /** Label of the reference, for the table. */
  against: string;
  /** The ratio the issue asks for, if any (informational in the table). */
  target?: number;
}

export interface BenchSuite {
  name: string;
  /** `short`: the quick set that `bench:check` runs. */
  setup(short: boolean): Promise<Comparison[]>;
  teardown?(): Promise<void>;
  /** Figures that are not time ratios (an exponent, a p95), printed after the table. */
  extra?(): Promise<Record<string, number>>;
}
