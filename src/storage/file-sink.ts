import { rm } from "node:fs/promises";

const FLUSH_BYTES = 256 * 1024;

/** Writes a stream to a file as it arrives; on any failure the partial file is removed and the error rethrown. */
export async function writeStreamToFile(target: string, body: ReadableStream<Uint8Array>): Promise<void> {
  const writer = Bun.file(target).writer();
  try {
    // FileSink buffers what it is given: flushing every 256 KiB is what makes a fast upload
    // wait for the disk instead of piling up in memory (backpressure to the socket).
    let buffered = 0;
    for await (const chunk of body) {
      buffered += chunk.byteLength;
      writer.write(chunk);
      if (buffered >= FLUSH_BYTES) {
        await writer.flush();
        buffered = 0;
      }
    }
    await writer.end();
  } catch (err) {
    await Promise.resolve(writer.end()).catch(() => {});
    await rm(target, { force: true });
    throw err;
  }
}
