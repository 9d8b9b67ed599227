/**
 * The file store did not answer (no connection, or a 5xx): not the object's fault nor the
 * job's, so callers wait it out (a 503 at upload, a job put back until later) instead of
 * failing what they were doing.
 */
export class StorageUnavailable extends Error {
  override name = "StorageUnavailable";
}
