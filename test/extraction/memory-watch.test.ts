/** Who is charged for the process's memory growth, with a process RSS the test sets. */
import { afterEach, expect, test } from "bun:test";
import { MemoryWatch } from "../../src/extraction/memory-watch.ts";

const MB = 1024 * 1024;
let rss = 100 * MB;
let watch: MemoryWatch<string> | undefined;
afterEach(() => watch?.stop());

function watching(limitMb: number, releaseWaitMs = 1000) {
  const over: { key: string; mb: number; sure: boolean }[] = [];
  watch = new MemoryWatch<string>(limitMb * MB, (key, bytes, sure) => over.push({ key, mb: Math.round(bytes / MB), sure }), 5, releaseWaitMs, () => rss);
  return { watch, over };
}
const settle = () => Bun.sleep(30);

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
  rss += 100 * MB; // swelling 250, but judged only once the stopped thread's memory is back
  await settle();
  expect(over.length).toBe(1);
  rss -= 210 * MB; // the stopped thread's memory is back: swelling 40
  await settle();
  expect(over.length).toBe(1);
  rss += 170 * MB;
  await settle();
  expect(over.at(-1)).toEqual({ key: "swelling", mb: 210, sure: true });
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

test("a stopped thread whose memory does not come back holds the judging of others for releaseWaitMs at most", async () => {
  rss = 100 * MB;
  const { watch, over } = watching(200, 60);
  watch.begin("a");
  watch.begin("b");
  rss += 500 * MB; // 250 each
  await settle();
  expect(over).toEqual([{ key: "a", mb: 250, sure: false }]);
  rss += 100 * MB; // b 350, charged alone now; a's memory never comes back
  await settle();
  expect(over.length).toBe(1);
  await Bun.sleep(60);
  expect(over.at(-1)).toEqual({ key: "b", mb: 350, sure: true });
});
