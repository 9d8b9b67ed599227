import { basename } from "node:path";

export interface UploadAnswer {
  status: number;
  body: any;
}

/** POST /uploads as `curl -F file=@PATH` does. */
export const uploadFile = (base: string, path: string, fields: Record<string, string> = {}) => uploadBlob(base, Bun.file(path), basename(path), fields);

/** A multipart upload of bytes made by the test (a generated PDF). */
export async function uploadBlob(base: string, file: Blob | Uint8Array<ArrayBuffer>, filename: string, fields: Record<string, string> = {}, apiKey?: string): Promise<UploadAnswer> {
  const form = new FormData();
  form.append("file", file instanceof Blob ? file : new Blob([file]), filename);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${base}/uploads`, { method: "POST", body: form, headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
  return { status: res.status, body: await res.json() };
}

/** `uploadFile` with an API key. */
export const uploadFileAs = (base: string, apiKey: string, path: string, fields: Record<string, string> = {}) => uploadBlob(base, Bun.file(path), basename(path), fields, apiKey);

/** POST /uploads with the raw PDF as the body, as `curl --data-binary` does. */
export async function uploadRaw(base: string, bytes: Uint8Array<ArrayBuffer> | Blob, query = "filename=upload.pdf", type = "application/pdf"): Promise<UploadAnswer> {
  const res = await fetch(`${base}/uploads?${query}`, { method: "POST", body: bytes, headers: { "content-type": type } });
  return { status: res.status, body: await res.json() };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** Polls GET /jobs/:id until the job is completed or failed. */
export async function waitFinal(base: string, jobId: string, timeoutMs = 120_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getJson(`${base}/jobs/${jobId}`);
    if (body.status === "completed" || body.status === "failed") return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} not final after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await Bun.sleep(100);
  }
}
