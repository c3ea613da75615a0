import { createHash } from 'node:crypto';

/**
 * The NOTIFY channel the broker signals when a topic receives messages; the same name its
 * `channel_of` function computes. A digest, because channel names are identifiers of at most 63
 * bytes and topic names may be longer.
 */
export function topicChannel(topic: string): string {
  return `footfall_messaging_${createHash('md5').update(topic, 'utf8').digest('hex')}`;
}
