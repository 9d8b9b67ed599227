/**
 * A dependency Folio cannot work without does not answer at start: the message names the
 * setting and the fix, and is the one line the process prints before it exits.
 */
export class DependencyError extends Error {
  override name = "DependencyError";
}
