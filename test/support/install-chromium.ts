/**
 * `npm run setup:test`: the browser tests drive Debian's Chromium with playwright-core, which
 * never downloads a browser of its own. Installs the package where it can (root with apt),
 * else says in one line how.
 */
import { existsSync } from "node:fs";
import { CHROMIUM_PATH } from "./browser.ts";

if (existsSync(CHROMIUM_PATH)) process.exit(0);
if (process.getuid?.() === 0 && Bun.which("apt-get")) {
  console.error("installing Debian's chromium for the browser tests…");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args: string[]) => Bun.spawnSync(["apt-get", ...args], { env, stdout: "ignore", stderr: "inherit" }).exitCode === 0;
  if (run(["update", "-qq"]) && run(["install", "-y", "-qq", "chromium"]) && existsSync(CHROMIUM_PATH)) process.exit(0);
}
console.error(`Chromium is missing at ${CHROMIUM_PATH}: install it (Debian: sudo apt-get install chromium) or set CHROMIUM_PATH, then run the tests again.`);
process.exit(1);
