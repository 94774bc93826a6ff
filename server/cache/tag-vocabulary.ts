// Instances of different versions sharing one Redis (a rolling upgrade). When a version changes the tag
// vocabulary (CACHE_TAG_VOCABULARY, schema/cache-tags.ts), its writes no longer invalidate the tags an
// older version's entries carry, so an older instance could serve its own entries after a newer one's
// write. Each instance raises the vocabulary recorded in Redis to its own and announces it on the bus;
// an instance that finds or hears a newer one stops serving cached responses (reads go to the database)
// and keeps invalidating, until it is replaced. server/CACHE.md, "Keys and scopes".
import type { RedisClient } from '../platform/redis-connection.ts';
import type { Logger } from '../platform/logger.ts';
import { publishNotice } from './redis-bus.ts';

export const VOCABULARY_TOPIC = 'tag-vocabulary';

// Sets the recorded vocabulary to ARGV[1] unless a newer one is recorded, for ARGV[2] ms (renewed by every
// (re)connection of an instance of it, like the bus's counters); returns the recorded one after.
const RAISE_SCRIPT = `
local recorded = tonumber(redis.call('GET', KEYS[1]) or '0')
local mine = tonumber(ARGV[1])
if mine >= recorded then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return mine
end
return recorded`;

/** As long as the bus's counters live without writes. */
const RECORD_TTL_MS = 30 * 24 * 3600 * 1000;

export interface TagVocabularyOptions {
  /** This instance's vocabulary. */
  own: number;
  /** Where the newest vocabulary is recorded, and the bus channel it is announced on. */
  key: string;
  channel: string;
  logger: Logger;
  /** A newer vocabulary was found: what this instance holds must not be served any more. */
  onSuperseded(): void;
}

export class TagVocabulary {
  private newer: number | null = null;

  constructor(private readonly options: TagVocabularyOptions) {}

  /** A newer version shares this Redis: cached responses must not be served. */
  get superseded(): boolean {
    return this.newer !== null;
  }

  /** Records this instance's vocabulary (when it is the newest) and announces it; run on every (re)connection. */
  async raise(redis: RedisClient): Promise<void> {
    const recorded = Number(await redis.eval(RAISE_SCRIPT, 1, this.options.key, String(this.options.own), RECORD_TTL_MS));
    if (recorded > this.options.own) return this.supersede(recorded);
    if (recorded === this.options.own) await publishNotice(redis, this.options.channel, VOCABULARY_TOPIC, String(this.options.own));
  }

  /** Another instance announced its vocabulary (a notice of VOCABULARY_TOPIC). */
  heard(payload: string): void {
    const announced = Number(payload);
    if (Number.isInteger(announced) && announced > this.options.own) this.supersede(announced);
  }

  private supersede(newer: number): void {
    if (this.newer !== null) return;
    this.newer = newer;
    this.options.logger.warn(
      { own: this.options.own, newer },
      'a newer deskgraph shares this Redis with another cache tag vocabulary: this instance stops serving cached responses (writes still invalidate) until it is replaced',
    );
    this.options.onSuperseded();
  }
}
