/** One thread of bench/cache-extra.ts: 80 % gets, 20 % sets on the shared table. */
import { SharedL1 } from "../src/cache/shared-l1.ts";

declare const self: Worker;

self.onmessage = (e: MessageEvent) => {
  const { buffer, opts, id, ops } = e.data;
  const l1 = new SharedL1(opts, buffer);
  const keys = Array.from({ length: 128 }, (_, i) => (i * 2654435761 + id).toString(16).padStart(64, "0").slice(-64));
  const value = new Uint8Array(1024);
  for (let i = 0; i < ops; i++) {
    const k = keys[i & 127]!;
    if (i % 5 === 0) l1.set(k, value, 60_000);
    else l1.get(k);
  }
  postMessage("done");
};
