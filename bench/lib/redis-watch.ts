// Watches the Redis logical database a scenario's instances use: DBSIZE every second (is the key count
// bounded?), INFO keyspace (does every key expire?), and SCAN + PTTL over a sample (keys without a TTL).
// Never KEYS. Each Redis scenario gets an empty logical database of its own, so DBSIZE counts only its keys.
import { Redis } from 'ioredis';

export async function pickEmptyDatabase(url: string): Promise<number> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const configured = await redis.config('GET', 'databases').catch(() => null);
    const count = Array.isArray(configured) && configured[1] ? Number(configured[1]) : 16;
    for (let db = Math.min(count, 16) - 1; db >= 1; db--) {
      await redis.select(db);
      if ((await redis.dbsize()) === 0) return db;
    }
    throw new Error(`no empty logical database on ${url}: the Redis scenarios need one (DBSIZE 0) to count their keys`);
  } finally {
    redis.disconnect();
  }
}

export function redisUrlWithDb(url: string, db: number): string {
  const parsed = new URL(url);
  parsed.pathname = `/${db}`;
  return parsed.toString();
}

export interface KeyspaceReport {
  start: number;
  max: number;
  end: number;
  samples: number[];
  /** From INFO keyspace at the end: keys and keys with an expiry. */
  infoKeys: number;
  infoExpires: number;
  /** SCAN + PTTL over up to `sampleLimit` keys. */
  sampled: number;
  withoutTtl: number;
  withoutTtlExamples: string[];
  /** Sampled keys by kind (the segment after the prefix: r, t, v, seq, epoch). */
  byKind: Record<string, number>;
  /** The largest tag sets (t:…): members, and how many of them still name an existing entry. */
  largestTagSets: { key: string; members: number; live: number }[];
}

export class KeyspaceWatch {
  private readonly redis: Redis;
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    url: string,
    private readonly db: number,
    private readonly prefix: string,
  ) {
    this.redis = new Redis(url, { db, maxRetriesPerRequest: 1 });
  }

  async start(): Promise<void> {
    this.samples.push(await this.redis.dbsize());
    this.timer = setInterval(() => {
      this.redis.dbsize().then(
        (n) => this.samples.push(n),
        () => {},
      );
    }, 1000);
  }

  async stop(sampleLimit = 5000): Promise<KeyspaceReport> {
    if (this.timer) clearInterval(this.timer);
    const end = await this.redis.dbsize();
    this.samples.push(end);
    const info = await this.redis.info('keyspace');
    const line = new RegExp(`^db${this.db}:keys=(\\d+),expires=(\\d+)`, 'm').exec(info);
    let sampled = 0;
    let withoutTtl = 0;
    const withoutTtlExamples: string[] = [];
    const byKind: Record<string, number> = {};
    const tagSets: string[] = [];
    for (const pattern of this.patterns()) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (keys.length === 0) continue;
        const pipeline = this.redis.pipeline();
        for (const key of keys) pipeline.pttl(key);
        const ttls = (await pipeline.exec()) ?? [];
        keys.forEach((key, i) => {
          const ttl = ttls[i]?.[1] as number;
          const kind = this.name(key).split(':')[0] ?? '?';
          byKind[kind] = (byKind[kind] ?? 0) + 1;
          if (kind === 't') tagSets.push(key);
          sampled += 1;
          // -1: no expiry; -2: gone since SCAN returned it (expired or invalidated), not a leak.
          if (ttl === -1) {
            withoutTtl += 1;
            if (withoutTtlExamples.length < 5) withoutTtlExamples.push(key);
          }
        });
      } while (cursor !== '0' && sampled < sampleLimit);
    }
    const largestTagSets = await this.largestSets(tagSets);
    return {
      largestTagSets,
      start: this.samples[0] ?? 0,
      max: Math.max(...this.samples),
      end,
      samples: [...this.samples],
      infoKeys: line ? Number(line[1]) : 0,
      infoExpires: line ? Number(line[2]) : 0,
      sampled,
      withoutTtl,
      withoutTtlExamples,
      byKind,
    };
  }

  // Members of a tag set are entry keys; an entry deleted through another of its tags stays listed
  // here until its expiry score passes. This shows how many members are dead.
  private async largestSets(keys: string[]): Promise<{ key: string; members: number; live: number }[]> {
    if (keys.length === 0) return [];
    const cards = (await keys.reduce((p, key) => p.zcard(key), this.redis.pipeline()).exec()) ?? [];
    const sized = keys
      .map((key, i) => ({ key, members: Number(cards[i]?.[1] ?? 0) }))
      .sort((a, b) => b.members - a.members)
      .slice(0, 3);
    const out: { key: string; members: number; live: number }[] = [];
    for (const { key, members } of sized) {
      const names = await this.redis.zrange(key, 0, 1999);
      const exists = names.length ? ((await names.reduce((p, name) => p.exists(name), this.redis.pipeline()).exec()) ?? []) : [];
      const live = exists.filter((r) => r[1] === 1).length;
      out.push({
        key: this.name(key),
        members,
        live: names.length < members ? Math.round((live / names.length) * members) : live,
      });
    }
    return out;
  }

  /** Removes the scenario's keys (UNLINK over SCAN), so the shared Redis is left as it was found. */
  async clear(): Promise<number> {
    let removed = 0;
    for (const pattern of this.patterns()) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length) removed += await this.redis.unlink(...keys);
      } while (cursor !== '0');
    }
    return removed;
  }

  // The cache's keys: `<prefix>:…` (epoch, documents, rate limits) and the shards' `{<prefix>:<shard>}:…`.
  private patterns(): string[] {
    return [`${this.prefix}:*`, `{${this.prefix}:*`];
  }

  /** A key without its prefix or shard: `r:…`, `t:…`, `seq`, `epoch:current`. */
  private name(key: string): string {
    return key.startsWith('{') ? key.slice(key.indexOf('}') + 2) : key.slice(this.prefix.length + 1);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.redis.disconnect();
  }

  /** clear() then close(), for a cleanup step: a failed clear must not keep the connection open. */
  async dispose(): Promise<number> {
    const removed = await this.clear().catch(() => 0);
    await this.close();
    return removed;
  }
}
