/**
 * Runs before the test suites: when something they need is missing, one line says which
 * and how to get it, instead of dozens of failing tests. `--browser` for the default suite
 * (its browser tests), `--corpus` for the corpus suite.
 */
import { existsSync } from "node:fs";
import postgres from "postgres";
import { isListening } from "../../src/dependencies/local-redis.ts";
import { CHROMIUM_PATH } from "./browser.ts";
import { CORPUS_DIR, corpusAvailable } from "./corpus.ts";
import { PG_ADMIN_URL } from "./postgres.ts";

const problems: string[] = [];
if (!(await isListening("127.0.0.1", 6379, 2000))) {
  problems.push("Redis is not running at 127.0.0.1:6379: start it with `redis-server --daemonize yes --save '' --appendonly no` (Debian: apt-get install redis-server).");
}
const pg = postgres(PG_ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
try {
  await pg`select 1`;
} catch (err) {
  const where = new URL(PG_ADMIN_URL);
  problems.push(`PostgreSQL does not answer at ${where.host}${where.pathname} (${(err as Error).message}): start it (Debian: pg_ctlcluster $(ls /etc/postgresql) main start) with trust auth for local connections, or point FOLIO_TEST_PG at one.`);
} finally {
  await pg.end({ timeout: 1 });
}
if (process.argv.includes("--corpus")) {
  if (!corpusAvailable()) problems.push(`No corpus at ${CORPUS_DIR}: the corpus suite needs the wide PDF corpus; set FOLIO_CORPUS to a folder with its MANIFEST.tsv.`);
}
if (process.argv.includes("--browser") && !existsSync(CHROMIUM_PATH)) {
  problems.push(`Chromium is missing at ${CHROMIUM_PATH} (the browser tests): run \`npm run setup:test\`, or set CHROMIUM_PATH.`);
}
if (process.argv.includes("--browser") && !Bun.which("promtool")) {
  problems.push("promtool is missing (the metrics and alert-rule checks): run `npm run setup:test` (Debian package prometheus).");
}
for (const p of problems) console.error(p);
process.exit(problems.length ? 1 : 0);
