import { Queue } from "bullmq";
import { corpusPath } from "../test/support/corpus.ts";
import type { BenchSuite } from "./lib/comparison.ts";
import { uploadApp, type UploadApp } from "./lib/upload-app.ts";

let app: UploadApp | undefined;
let bare: Queue | undefined;

/** POST /uploads (hash, store, two rows, enqueue) in-process, against a bare queue.add. */
export const enqueue: BenchSuite = {
  name: "enqueue",
  async setup() {
    app = await uploadApp("enqueue");
    const pdf = new Uint8Array(await Bun.file(corpusPath("slides-impressive-demo.pdf")).arrayBuffer());
    const queue = (bare = new Queue("bare", { connection: app.redis, prefix: app.prefix }));
    let n = 0;
    return [
      {
        name: "upload → job in Redis vs bare queue.add",
        project: () => app!.upload(pdf),
        reference: () => queue.add("job", { n: n++ }, { removeOnComplete: true }),
        against: "queue.add",
      },
    ];
  },
  async teardown() {
    await bare?.obliterate({ force: true }).catch(() => {});
    await bare?.close();
    await app?.close();
  },
};
