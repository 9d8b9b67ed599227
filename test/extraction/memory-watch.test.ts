/** Who is charged for the process's memory growth, with a process RSS the test sets. */
import { afterEach, expect, setSystemTime, test } from "bun:test";
import { MemoryWatch } from "../../src/extraction/memory-watch.ts";

const MB = 1024 * 1024;
let rss = 100 * MB;
let watch: MemoryWatch<string> | undefined;
afterEach(() => {
  watch?.stop();
  setSystemTime();
});

function watching(limitMb: number, releaseWaitMs = 1000) {
  const over: { key: string; mb: number; sure: boolean }[] = [];
  watch = new MemoryWatch<string>(limitMb * MB, (key, bytes, sure) => over.push({ key, mb: Math.round(bytes / MB), sure }), 5, releaseWaitMs, () => rss);
  return { watch, over };
}
const settle = () => Bun.sleep(30);

/** Two tasks, 250 MB each over a 200 MB limit: `a` is stopped, not surely, and ends. */
async function twoOverTheLimit(releaseWaitMs: number) {
  rss = 100 * MB;
  const { watch, over } = watching(200, releaseWaitMs);
  watch.begin("a");
  watch.begin("b");
  rss += 500 * MB;
  await settle();
  expect(over).toEqual([{ key: "a", mb: 250, sure: false }]);
  watch.end("a");
  return over;
}

test("a task running alone is charged all the growth and stopped, surely, past the limit", async () => {
  rss = 100 * MB;
  const { watch, over } = watching(200);
  watch.begin("bomb");
  rss += 150 * MB;
  await settle();
  expect(over).toEqual([]);
  rss += 100 * MB;
  await settle();
  expect(over).toEqual([{ key: "bomb", mb: 250, sure: true }]);
});

test("growth before a task began is not charged to it", async () => {
  rss = 100 * MB;
  const { watch, over } = watching(200);
  watch.begin("first");
  rss += 150 * MB;
  watch.end("first");
  watch.begin("second");
  rss += 150 * MB;
  await settle();
  expect(over).toEqual([]);
});

test("growth while two run is split; the larger share is stopped first, not surely, and the other judged alone once that memory is back", async () => {
  rss = 100 * MB;
  const { watch, over } = watching(200);
  watch.begin("ordinary");
  rss += 60 * MB;
  await settle();
  watch.begin("swelling");
  rss += 300 * MB; // 150 each: ordinary 210, swelling 150
  await settle();
  expect(over).toEqual([{ key: "ordinary", mb: 210, sure: false }]);
  watch.end("ordinary");
  rss -= 210 * MB; // the stopped thread's memory is back: swelling 0 (growth given back is not credited below zero)
  await settle();
  expect(over.length).toBe(1);
  rss += 210 * MB;
  await settle();
  expect(over.at(-1)).toEqual({ key: "swelling", mb: 210, sure: true });
});

test("while a stopped thread's memory is on its way out, another is judged on growth past the RSS at the stop, not surely", async () => {
  const over = await twoOverTheLimit(1000);
  rss -= 40 * MB; // a's memory starts to come back (credited to b: 210), nothing past the stop
  await settle();
  expect(over.length).toBe(1);
  rss += 60 * MB; // b 270, 20 MB past the RSS at the stop: b keeps swelling (or a is still growing)
  await settle();
  expect(over.at(-1)).toEqual({ key: "b", mb: 270, sure: false });
});

test("a share twice the others' is blamed surely even when others run", async () => {
  rss = 100 * MB;
  const { watch, over } = watching(200);
  watch.begin("bomb");
  rss += 160 * MB;
  await settle();
  watch.begin("small");
  rss += 60 * MB; // bomb 190, small 30
  await settle();
  rss += 40 * MB; // bomb 210, small 50
  await settle();
  expect(over).toEqual([{ key: "bomb", mb: 210, sure: true }]);
});

test("a stopped thread whose memory does not come back holds sure blame for releaseWaitMs at most", async () => {
  // The clock stands still while the checks run, so a slow machine cannot make the wait look over.
  const stop = Date.now();
  setSystemTime(stop);
  const over = await twoOverTheLimit(60);
  await settle();
  expect(over.length).toBe(1);
  setSystemTime(stop + 61); // a's memory never came back: b, over the limit, is judged alone
  await settle();
  expect(over.at(-1)).toEqual({ key: "b", mb: 250, sure: true });
});
