/**
 * Ends a process the tests started once the test runner that started it is gone, even when
 * the runner was killed with SIGKILL and could clean nothing up. Two ways to use it:
 *   bun --preload ./test/support/exit-with-parent.ts script.ts   (a Bun process watches itself)
 *   bun ./test/support/exit-with-parent.ts CMD ARGS…            (runs another program, e.g. redis-server)
 * Linux reparents an orphan, so a changed parent pid is the signal; 250 ms polling is cheap.
 */
const parent = process.ppid;

function onOrphaned(act: () => void): void {
  setInterval(() => {
    if (process.ppid !== parent) act();
  }, 250).unref();
}

if (import.meta.main) {
  const child = Bun.spawn(process.argv.slice(2), { stdio: ["ignore", "inherit", "inherit"] });
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
  onOrphaned(() => {
    child.kill("SIGKILL");
    process.exit(1);
  });
  process.exit(await child.exited);
} else {
  onOrphaned(() => {
    // The test harness starts services as process-group leaders: take their children (a
    // redis-server they started, say) along.
    try {
      process.kill(-process.pid, "SIGKILL");
    } catch {
      process.exit(1);
    }
  });
}
