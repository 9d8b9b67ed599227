/** Pub/sub channel on which the status writer announces flushed job ids (comma-separated). */
export function jobEventsChannel(prefix: string): string {
  return `${prefix}:job-events`;
}
