// A Redis Cluster subscription to sharded channels, presented like a single Redis subscriber connection.
// ioredis (shardedSubscribers) keeps one subscriber connection per master and resubscribes after the slot
// map changes, but tells its users little: it says "ready" once for the whole cluster, a lost subscriber
// is only a '-node' event, and 'subscribersReady' also follows a reconnection that failed. What the
// cache needs is "every message on my channel reaches me", so this says 'close' when the connection of
// any master is lost or the slot map changed, and 'ready' again only once a message it published itself
// came back on the channel.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Cluster } from 'ioredis';

// A probe travels on the channel itself; every instance's subscriber drops them before its listeners.
const PROBE_PREFIX = 'probe:';
const PROBE_TIMEOUT_MS = 1000;
const RESUME_RETRY_MS = 250;

export class ShardedSubscriber extends EventEmitter {
  status: 'connecting' | 'ready' | 'reconnecting' | 'end' = 'connecting';
  private channel: string | null = null;
  private subscribed = false;
  private resuming = false;
  private closed = false;
  private readonly origin = randomUUID();
  private probes = 0;
  private readonly waiting = new Map<string, () => void>();
  private retry: NodeJS.Timeout | null = null;

  constructor(private readonly cluster: Cluster) {
    super();
    cluster.on('smessage', (channel: string, message: string) => this.receive(channel, message));
    // Only the subscriber group's '-node' names the node (the command pool's does not, and says nothing of
    // messages). Any master's subscriber lost is taken as ours: failovers are rare, and the slot map may
    // already be in flux. After a change of the slot map (a failover, even a graceful one that closes no
    // connection) ioredis resubscribes on the new master, and messages published in between are lost:
    // that too is a loss, followed by a probe.
    cluster.on('-node', (_redis: unknown, nodeKey?: string) => {
      if (typeof nodeKey === 'string') this.lost();
    });
    cluster.on('close', () => this.lost());
    cluster.on('end', () => this.lost());
    cluster.on('error', (error: Error) => this.emit('error', error));
    cluster.on('node error', (error: Error) => this.emit('error', error));
    cluster.on('subscribersReady', () => {
      if (this.status === 'ready') this.lost();
      else void this.resume();
    });
  }

  /** One channel (the bus): subscribes once the subscriber group knows the slot map. */
  subscribe(channel: string): Promise<unknown> {
    this.channel = channel;
    return this.resume();
  }

  async quit(): Promise<unknown> {
    this.stop();
    return this.cluster.quit().catch(() => 'OK');
  }

  disconnect(): void {
    this.stop();
    this.cluster.disconnect();
  }

  private stop(): void {
    this.closed = true;
    this.status = 'end';
    if (this.retry) clearTimeout(this.retry);
  }

  private lost(): void {
    if (this.closed || this.status === 'reconnecting') return;
    const wasReady = this.status === 'ready';
    this.status = 'reconnecting';
    if (wasReady) this.emit('close');
    this.scheduleResume();
  }

  private scheduleResume(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.resume();
    }, RESUME_RETRY_MS);
    this.retry.unref();
  }

  private async resume(): Promise<void> {
    if (this.closed || this.resuming || !this.channel || this.status === 'ready') return;
    if (this.cluster.status !== 'ready' || this.cluster.slots.length === 0) return this.scheduleResume();
    this.resuming = true;
    try {
      // ioredis resubscribes by itself after a topology change; the first time is ours.
      if (!this.subscribed) {
        await this.cluster.ssubscribe(this.channel);
        this.subscribed = true;
      }
      await this.probe();
      this.status = 'ready';
      this.emit('ready');
    } catch {
      this.scheduleResume();
    } finally {
      this.resuming = false;
    }
  }

  private async probe(): Promise<void> {
    if (!this.channel) throw new Error('not subscribed');
    const id = `${PROBE_PREFIX}${this.origin}:${++this.probes}`;
    let timer: NodeJS.Timeout | undefined;
    const back = new Promise<void>((resolve, reject) => {
      this.waiting.set(id, resolve);
      timer = setTimeout(() => reject(new Error('sharded subscriber probe timed out')), PROBE_TIMEOUT_MS);
    });
    try {
      await Promise.race([back, this.cluster.spublish(this.channel, id).then(() => back)]);
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  private receive(channel: string, message: string): void {
    if (message.startsWith(PROBE_PREFIX)) return void this.waiting.get(message)?.();
    this.emit('message', channel, message);
  }
}
