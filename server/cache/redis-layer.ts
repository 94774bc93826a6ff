// The shared layer: responses in Redis, each tag a sorted set of the keys holding it, and a pub/sub
// channel that tells every instance which tags were invalidated. Two Lua scripts do the work, so a
// store and an invalidation never interleave. See server/CACHE.md for the reasoning.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.ts';
import type { Metrics } from '../platform/metrics.ts';

// Atomically: refuse if the epoch moved or any tag was invalidated after the read began (its version is
// newer than the sequence number seen before execution); otherwise store the entry and add its key to
// each tag's sorted set (score = expiry), pruning members that expired.
const STORE_SCRIPT = `
local epoch = redis.call('GET', KEYS[2]) or '0'
if epoch ~= ARGV[4] then return -1 end
local s0 = tonumber(ARGV[3])
local n = (#KEYS - 2) / 2
for i = 0, n - 1 do
  local v = redis.call('GET', KEYS[3 + 2 * i])
  if v and tonumber(v) > s0 then return 0 end
end
local ttl = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 0, n - 1 do
  local set = KEYS[4 + 2 * i]
  redis.call('ZADD', set, now + ttl, KEYS[1])
  redis.call('ZREMRANGEBYSCORE', set, '-inf', now)
  if redis.call('PTTL', set) < ttl then redis.call('PEXPIRE', set, ttl) end
end
return 1
`;

// Atomically: take the next sequence number, stamp each tag's version with it (so in-flight reads of
// those tags will not be stored), delete every entry in each tag's set, and announce the tags. Each
// deleted entry is also taken out of its other tags' sets (its header lists them), so tag sets hold
// live entries only and the key count follows what is cached. (Standalone Redis: the script names keys
// it derives from the entries, which Redis Cluster would not allow.)
const INVALIDATE_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local prefix = ARGV[5]
local evicted = 0
local n = (#KEYS - 1) / 2
for i = 0, n - 1 do
  redis.call('SET', KEYS[2 + 2 * i], seq, 'PX', ARGV[1])
  local set = KEYS[3 + 2 * i]
  local members = redis.call('ZRANGE', set, 0, -1)
  redis.call('DEL', set)
  for _, member in ipairs(members) do
    local head = redis.call('GETRANGE', member, 0, 3)
    if #head == 4 then
      local len = struct.unpack('>I4', head)
      local ok, header = pcall(cjson.decode, redis.call('GETRANGE', member, 4, 3 + len))
      if ok and type(header) == 'table' and type(header.tags) == 'table' then
        for _, tag in ipairs(header.tags) do redis.call('ZREM', prefix .. ':t:' .. tag, member) end
      end
      evicted = evicted + redis.call('DEL', member)
    end
  end
end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {seq, evicted}
`;

// Moves every instance to a fresh key space: used after this instance lost Redis, since entries written
// meanwhile may lack invalidations nobody could deliver. The epoch is a random token, not a counter, so
// a Redis that restarted empty can never come back to an epoch some in-flight read remembers.
const BUMP_EPOCH_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ARGV[4])
return ARGV[4]
`;

/** A fill may take at most this long; tag versions live twice as long, so none it needs has expired. */
export const MAX_FILL_MS = 15_000;
/** Reads that fail in a row before the layer is declared down (one slow reply only skips that request). */
const READ_FAILURES_TO_DEGRADE = 3;
const VERSION_TTL_MS = 2 * MAX_FILL_MS;
// The sequence and epoch counters expire too, after a month without writes (nothing can be in flight then).
const COUNTER_TTL_MS = 30 * 24 * 3600 * 1000;
const MAX_PENDING_TAGS = 10_000;

export interface InvalidationMessage {
  origin: string;
  /** Lets the sender see its own message come back (see runInvalidation). */
  nonce?: number;
  tags?: string[];
  epoch?: string;
}

export interface RedisLayerOptions {
  url: string;
  keyPrefix: string;
  timeoutMs: number;
  logger: Logger;
  metrics: Metrics;
  /** Another instance invalidated these tags (or moved the epoch): drop local copies. */
  onRemoteInvalidation(tags: string[] | 'all'): void;
  /** This layer became unusable or usable again; while down the in-process layer must not be trusted. */
  onHealthChange(healthy: boolean): void;
}

export class RedisLayer {
  readonly origin = randomUUID();
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private epoch = '0';
  private healthy = false;
  private recovering = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Tags whose invalidation could not reach Redis; delivered before the layer is used again. */
  private pending = new Set<string>();
  private nonce = 0;
  private readonly echoes = new Map<number, () => void>();
  private pendingOverflow = false;
  private readFailures = 0;
  /**
   * L1 is trusted only while Redis answered within the last `leaseMs` (a heartbeat renews it). When
   * Redis hangs with every connection still open, no command fails on an instance that only serves L1
   * hits; the lease is what stops it. A mutation whose invalidation failed waits out one lease before
   * it returns, so by then every instance that cannot reach Redis has stopped trusting its L1.
   */
  private readonly leaseMs: number;
  private lastContact = 0;
  private degradedAt = 0;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(private readonly options: RedisLayerOptions) {
    const common = {
      commandTimeout: options.timeoutMs,
      connectTimeout: Math.max(1000, options.timeoutMs * 4),
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000),
      lazyConnect: false,
    };
    this.channel = `${options.keyPrefix}:invalidations`;
    this.cmd = new Redis(options.url, { ...common, enableOfflineQueue: false });
    this.sub = new Redis(options.url, { ...common, commandTimeout: undefined, enableOfflineQueue: true });
    this.cmd.defineCommand('dgStore', { lua: STORE_SCRIPT });
    this.cmd.defineCommand('dgInvalidate', { lua: INVALIDATE_SCRIPT });
    this.cmd.defineCommand('dgBumpEpoch', { numberOfKeys: 1, lua: BUMP_EPOCH_SCRIPT });

    for (const client of [this.cmd, this.sub]) {
      client.on('error', (error: Error) => options.logger.debug({ err: error.message }, 'redis connection error'));
      client.on('close', () => this.degrade('connection closed'));
      client.on('ready', () => this.scheduleRecovery(0));
    }
    this.sub.on('message', (_channel: string, text: string) => this.onMessage(text));
    this.sub.subscribe(this.channel).catch(() => {});
    options.metrics.cacheRedisUp.set(0);
    this.leaseMs = Math.max(300, 3 * options.timeoutMs);
    this.heartbeat = setInterval(() => void this.beat(), Math.floor(this.leaseMs / 3));
    this.heartbeat.unref();
  }

  // On the subscriber connection: its reply comes after every message published before it, so a
  // renewed lease never trusts L1 ahead of an invalidation already sent to this instance.
  private async beat(): Promise<void> {
    if (this.closed || this.sub.status !== 'ready') return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.sub.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('heartbeat timed out')), this.options.timeoutMs))),
      ]);
      this.lastContact = Date.now();
    } catch (error) {
      this.readFailures += 1;
      if (this.readFailures >= READ_FAILURES_TO_DEGRADE) this.fail('heartbeat', error);
    } finally {
      clearTimeout(timer);
    }
  }

  get isHealthy(): boolean {
    return this.healthy && Date.now() - this.lastContact < this.leaseMs;
  }

  private async waitOutLease(): Promise<void> {
    const wait = this.degradedAt + this.leaseMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Resolves once the layer is usable (or after timeoutMs); for start-up and tests. */
  async whenHealthy(timeoutMs = 5000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.healthy && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    return this.healthy;
  }

  private key(kind: string, name: string): string {
    return `${this.options.keyPrefix}:${kind}:${name}`;
  }

  private entryKey(key: string, epoch = this.epoch): string {
    return `${this.options.keyPrefix}:r:${epoch}:${key}`;
  }

  /** The entry (or null) and the invalidation sequence number as of this read, in one round trip. */
  async get(key: string): Promise<{ payload: Buffer | null; seq: number; epoch: string } | null> {
    if (!this.healthy) return null;
    const epoch = this.epoch;
    try {
      const [payload, seq] = await this.cmd.mgetBuffer(this.entryKey(key, epoch), this.key('seq', 'invalidations'));
      this.readFailures = 0;
      return { payload: payload ?? null, seq: seq ? Number(seq.toString()) : 0, epoch };
    } catch (error) {
      // A failed read loses nothing: this request goes to the database. Only a run of them (Redis is
      // down or overloaded) takes the layer out, so one slow reply does not empty this instance's L1.
      this.readFailures += 1;
      if (this.readFailures >= READ_FAILURES_TO_DEGRADE || this.cmd.status !== 'ready') this.fail('get', error);
      else this.options.metrics.cacheErrors.inc({ command: 'get' });
      return null;
    }
  }

  /** Stores unless the epoch moved or an invalidation of one of the tags happened since the read (seq, epoch). */
  async store(key: string, payload: Buffer, tags: readonly string[], ttlMs: number, seq: number, epoch: string): Promise<'stored' | 'raced' | 'failed'> {
    if (!this.healthy) return 'failed';
    if (epoch !== this.epoch) return 'raced';
    const keys = [this.entryKey(key, epoch), this.key('epoch', 'current')];
    for (const tag of tags) keys.push(this.key('v', tag), this.key('t', tag));
    try {
      const outcome = await (this.cmd as any).dgStore(keys.length, ...keys, payload, ttlMs, seq, epoch);
      if (outcome === -1) {
        await this.refreshEpoch();
        return 'raced';
      }
      return outcome === 1 ? 'stored' : 'raced';
    } catch (error) {
      this.fail('store', error);
      return 'failed';
    }
  }

  /** Invalidates in Redis and announces it; when Redis cannot be reached, remembers the tags for later. */
  async invalidate(tags: readonly string[]): Promise<number> {
    if (tags.length === 0) return 0;
    if (!this.healthy) {
      this.remember(tags);
      await this.waitOutLease();
      return 0;
    }
    try {
      return await this.runInvalidation(tags);
    } catch (error) {
      this.remember(tags);
      this.fail('invalidate', error);
      await this.waitOutLease();
      return 0;
    }
  }

  private async runInvalidation(tags: readonly string[]): Promise<number> {
    const keys = [this.key('seq', 'invalidations')];
    for (const tag of tags) keys.push(this.key('v', tag), this.key('t', tag));
    const nonce = ++this.nonce;
    const message = JSON.stringify({ origin: this.origin, nonce, tags: [...tags] } satisfies InvalidationMessage);
    // Redis hands a published message to every subscriber in the same pass; once our own subscriber has
    // it back, the other instances' copies are on the wire too. Waiting for that echo (bounded) before
    // the mutation returns is what makes "the next read on another instance is fresh" hold in practice.
    let timer: NodeJS.Timeout | undefined;
    const echo = new Promise<void>((resolve) => {
      this.echoes.set(nonce, resolve);
      timer = setTimeout(resolve, this.options.timeoutMs);
    });
    try {
      const [, evicted] = (await (this.cmd as any).dgInvalidate(keys.length, ...keys, VERSION_TTL_MS, this.channel, message, COUNTER_TTL_MS, this.options.keyPrefix)) as [number, number];
      if (evicted > 0) this.options.metrics.cacheEvictions.inc({ layer: 'l2', reason: 'invalidated' }, evicted);
      await echo;
      return evicted;
    } finally {
      clearTimeout(timer);
      this.echoes.delete(nonce);
    }
  }

  private remember(tags: readonly string[]): void {
    if (this.pending.size + tags.length > MAX_PENDING_TAGS) this.pendingOverflow = true;
    else for (const tag of tags) this.pending.add(tag);
  }

  private onMessage(text: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(text) as InvalidationMessage;
    } catch {
      if (text.startsWith('epoch:')) {
        this.epoch = text.slice(6);
        this.options.onRemoteInvalidation('all');
      }
      return;
    }
    if (message.origin === this.origin) {
      if (message.nonce !== undefined) this.echoes.get(message.nonce)?.();
      return;
    }
    if (!Array.isArray(message.tags)) return;
    this.options.onRemoteInvalidation(message.tags);
  }

  private fail(command: string, error: unknown): void {
    this.options.metrics.cacheErrors.inc({ command });
    this.options.logger.warn({ command, err: error instanceof Error ? error.message : String(error) }, 'redis cache unavailable; answering from the database');
    this.degrade(`${command} failed`);
    this.scheduleRecovery(250);
  }

  private degrade(reason: string): void {
    if (!this.healthy) return;
    this.healthy = false;
    this.degradedAt = Date.now();
    this.options.metrics.cacheRedisUp.set(0);
    this.options.logger.warn({ reason }, 'redis cache degraded');
    this.options.onHealthChange(false);
  }

  private scheduleRecovery(delayMs: number): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.recover();
    }, delayMs);
    this.retryTimer.unref();
  }

  // Back to healthy only when both connections work and every invalidation this instance owes has been
  // delivered (or, when some were dropped, the epoch has moved so no entry written before is read again).
  private async recover(): Promise<void> {
    if (this.closed || this.healthy || this.recovering) return;
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') return; // their 'ready' event calls again
    this.recovering = true;
    try {
      if (this.pending.size > 0) {
        const tags = [...this.pending];
        for (let i = 0; i < tags.length; i += 200) await this.runInvalidation(tags.slice(i, i + 200));
        for (const tag of tags) this.pending.delete(tag);
      }
      // Delivering what this instance owes is enough to make Redis right again; only when some of it was
      // dropped (more than MAX_PENDING_TAGS) is the whole key space abandoned.
      if (this.pendingOverflow) {
        this.epoch = String(await (this.cmd as any).dgBumpEpoch(this.key('epoch', 'current'), this.channel, 'epoch:', COUNTER_TTL_MS, randomUUID()));
        this.pendingOverflow = false;
      } else {
        await this.refreshEpoch();
      }
      this.readFailures = 0;
      this.lastContact = Date.now();
      this.healthy = true;
      this.options.metrics.cacheRedisUp.set(1);
      this.options.onHealthChange(true);
      this.options.logger.info({ epoch: this.epoch }, 'redis cache ready');
    } catch (error) {
      this.options.metrics.cacheErrors.inc({ command: 'recover' });
      this.options.logger.debug({ err: error instanceof Error ? error.message : String(error) }, 'redis cache recovery failed; retrying');
      this.scheduleRecovery(500);
    } finally {
      this.recovering = false;
    }
  }

  private async refreshEpoch(): Promise<void> {
    const value = await this.cmd.get(this.key('epoch', 'current'));
    this.epoch = value ?? '0';
  }

  /** Small shared documents (the warmer's hot list); failures just mean "nothing saved". */
  async saveJson(name: string, value: unknown, ttlMs: number): Promise<void> {
    if (!this.healthy) return;
    await this.cmd.set(this.key('doc', name), JSON.stringify(value), 'PX', ttlMs).catch(() => {});
  }

  async loadJson<T>(name: string): Promise<T | null> {
    if (!this.healthy) return null;
    const text = await this.cmd.get(this.key('doc', name)).catch(() => null);
    try {
      return text ? (JSON.parse(text) as T) : null;
    } catch {
      return null;
    }
  }

  /** For the readiness probe. */
  async ping(): Promise<boolean> {
    try {
      return (await this.cmd.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.healthy = false;
    await Promise.allSettled([this.cmd.quit(), this.sub.quit()]);
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
