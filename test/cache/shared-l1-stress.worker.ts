/** One thread of the L1 stress test: sets checksummed values, reads any key, counts torn reads. */
import { SharedL1 } from "../../src/cache/shared-l1.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent) => {
  const { buffer, opts, id, iterations } = e.data;
  const l1 = new SharedL1(opts, buffer);
  const key = (i: number) => i.toString(16).padStart(64, "0");
  let seed = id * 7919 + 1;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 8;
  let reads = 0;
  let hits = 0;
  let torn = 0;
  for (let n = 0; n < iterations; n++) {
    const k = rand() % 64;
    if (rand() % 3 === 0) {
      // value = length byte pattern + checksum in the last 4 bytes
      const len = 8 + (rand() % 240);
      const v = new Uint8Array(len);
      let sum = 0;
      for (let i = 0; i < len - 4; i++) {
        v[i] = rand() & 0xff;
        sum = (sum + v[i]! * (i + 1)) >>> 0;
      }
      new DataView(v.buffer).setUint32(len - 4, sum);
      l1.set(key(k), v, 60_000);
    } else {
      reads++;
      const v = l1.get(key(k));
      if (!v) continue;
      hits++;
      let sum = 0;
      for (let i = 0; i < v.length - 4; i++) sum = (sum + v[i]! * (i + 1)) >>> 0;
      if (new DataView(v.buffer, v.byteOffset).getUint32(v.length - 4) !== sum) torn++;
    }
  }
  postMessage({ reads, hits, torn });
};
