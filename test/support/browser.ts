/** Where the browser tests find Chromium: CHROMIUM_PATH, or Debian's package (`npm run setup:test` installs it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
