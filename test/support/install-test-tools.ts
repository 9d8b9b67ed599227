/**
 * `npm run setup:test`: what the tests use beyond Bun's packages, from Debian: Chromium for
 * the browser tests (playwright-core never downloads a browser of its own) and Prometheus'
 * `promtool` for the metrics and alert-rule checks. Installs them where it can (root with
 * apt), else says in one line how.
 */
import { existsSync } from "node:fs";
import { CHROMIUM_PATH } from "./browser.ts";

const missing = [
  ...(existsSync(CHROMIUM_PATH) ? [] : ["chromium"]),
  ...(Bun.which("promtool") ? [] : ["prometheus"]),
];
if (missing.length === 0) process.exit(0);
if (process.getuid?.() === 0 && Bun.which("apt-get")) {
  console.error(`installing Debian's ${missing.join(" and ")} for the tests…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args: string[]) => Bun.spawnSync(["apt-get", ...args], { env, stdout: "ignore", stderr: "inherit" }).exitCode === 0;
  if (run(["update", "-qq"]) && run(["install", "-y", "-qq", "--no-install-recommends", ...missing]) && existsSync(CHROMIUM_PATH) && Bun.which("promtool")) process.exit(0);
}
console.error(
  `Missing for the tests: ${missing.join(", ")} (Chromium at ${CHROMIUM_PATH}, and promtool): install them (Debian: sudo apt-get install ${missing.join(" ")}) or set CHROMIUM_PATH, then run the tests again.`,
);
process.exit(1);
