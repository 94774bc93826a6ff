// The invalidation bus: one channel every instance listens on (sharded pub/sub on a Redis Cluster, where
// it is hash-tagged into the bus's slot). An invalidation is numbered and published by one script
// (bus-scripts.ts); each instance drops its L1 copies of the tags, then acknowledges on the same channel
// the highest number it has applied; the writer returns once every leased instance has
// (invalidation-acks.ts). Epoch moves and notices (the trusted-document registry's) travel on it too,
// unnumbered. One channel, because the cluster's subscriber (redis-sharded-subscriber.ts) holds one.
import { publish, type RedisClient, type SubscriberConnection } from '../platform/redis-connection.ts';
import { announce, type BusKeys, type BusRedis } from './bus-scripts.ts';
import type { InstanceLease } from './instance-lease.ts';
import { InvalidationAcks } from './invalidation-acks.ts';

/** Announces a new epoch: this prefix and the epoch, not JSON. */
export const EPOCH_MESSAGE_PREFIX = 'epoch:';

// A change that is not the cache's, for every instance: `notice:<topic>:<payload>`. The trusted-document
// registry's CLI sends one after a push, so running instances reload at once (server/persisted/registry/).
const NOTICE_MESSAGE_PREFIX = 'notice:';
// `ack:<instance> <seq>`: that instance has applied every announcement up to seq.
const ACK_MESSAGE_PREFIX = 'ack:';

/** Tells every instance listening on the channel about a change; resolves with how many received it. */
export function publishNotice(redis: RedisClient, channel: string, topic: string, payload: string): Promise<number> {
  return publish(redis, channel, `${NOTICE_MESSAGE_PREFIX}${topic}:${payload}`);
}

interface InvalidationMessage {
  origin: string;
  tags: string[];
  /** The write's commit position in PostgreSQL's WAL (16 hex digits), for replica reads. */
  lsn?: string;
}

export interface BusListener {
  /** Another instance invalidated these tags. */
  onTags(tags: string[], lsn: string | undefined): void;
  /** Some instance (this one included) moved the epoch. */
  onEpoch(epoch: string): void;
  /** Something published a notice (publishNotice). */
  onNotice(topic: string, payload: string): void;
}

export class InvalidationBus {
  private readonly acks: InvalidationAcks;
  private ackDue = 0;
  private ackScheduled = false;

  constructor(
    private readonly cmd: BusRedis,
    sub: SubscriberConnection,
    private readonly keys: BusKeys,
    private readonly lease: () => InstanceLease | null,
    private readonly listener: BusListener,
    readonly instanceId: string,
  ) {
    this.acks = new InvalidationAcks(instanceId);
    sub.on('message', (_channel: string, text: string) => this.receive(text));
    sub.subscribe(keys.channel).catch(() => {});
  }

  /**
   * Numbers and publishes the invalidation, then waits for every leased instance to apply it; resolves
   * with the instances that neither acknowledged nor kept their lease (they serve no L1 now).
   */
  async announce(tags: readonly string[], lsn?: string): Promise<string[]> {
    const message = JSON.stringify({ origin: this.instanceId, tags: [...tags], ...(lsn ? { lsn } : {}) } satisfies InvalidationMessage);
    const announcement = await announce(this.cmd, this.keys, message);
    return this.acks.wait(announcement);
  }

  close(): void {
    this.acks.close();
  }

  private receive(text: string): void {
    const bar = text.indexOf('|');
    if (bar > 0 && /^\d+$/.test(text.slice(0, bar))) this.receiveInvalidation(Number(text.slice(0, bar)), text.slice(bar + 1));
    else if (text.startsWith(ACK_MESSAGE_PREFIX)) this.receiveAck(text.slice(ACK_MESSAGE_PREFIX.length));
    else if (text.startsWith(EPOCH_MESSAGE_PREFIX)) this.listener.onEpoch(text.slice(EPOCH_MESSAGE_PREFIX.length));
    else if (text.startsWith(NOTICE_MESSAGE_PREFIX)) this.receiveNotice(text.slice(NOTICE_MESSAGE_PREFIX.length));
  }

  private receiveInvalidation(seq: number, json: string): void {
    let message: InvalidationMessage | null = null;
    try {
      message = JSON.parse(json) as InvalidationMessage;
    } catch {}
    // This instance's own tags were dropped before it published; another's are dropped now, before
    // the number is acknowledged.
    if (message && message.origin !== this.instanceId && Array.isArray(message.tags)) this.listener.onTags(message.tags, message.lsn);
    this.lease()?.noteApplied(seq);
    this.acknowledge(seq);
  }

  // One acknowledgement per chunk read from the subscriber connection (its messages are handled in one
  // callback; the microtask runs right after it), with the highest number applied in it: sent before
  // the event loop turns to anything else, such as the HTTP requests waiting behind it.
  private acknowledge(seq: number): void {
    if (seq > this.ackDue) this.ackDue = seq;
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    queueMicrotask(() => {
      this.ackScheduled = false;
      publish(this.cmd, this.keys.channel, `${ACK_MESSAGE_PREFIX}${this.instanceId} ${this.ackDue}`).catch(() => {});
    });
  }

  private receiveAck(text: string): void {
    const space = text.lastIndexOf(' ');
    const seq = Number(text.slice(space + 1));
    if (space > 0 && Number.isFinite(seq)) this.acks.receive(text.slice(0, space), seq);
  }

  private receiveNotice(text: string): void {
    const colon = text.indexOf(':');
    if (colon > 0) this.listener.onNotice(text.slice(0, colon), text.slice(colon + 1));
  }
}
