/** A setting that cannot work: its message names the setting and the fix, and is what start-up prints. */
export class ConfigError extends Error {
  override name = "ConfigError";
}
