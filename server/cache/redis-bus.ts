// The invalidation bus: one pub/sub channel every instance listens on. The scripts publish to it (the
// tags an invalidation took, or a new epoch), so each instance drops its L1 copies of what another
// invalidated, and a sender can tell when its own message has made it round.
import { randomUUID } from 'node:crypto';
import { publish, type RedisClient, type SubscriberConnection } from '../platform/redis-connection.ts';

/** Announces a new epoch: this prefix and the epoch, not JSON (the bump script concatenates). */
export const EPOCH_MESSAGE_PREFIX = 'epoch:';

// A change that is not the cache's, for every instance: `notice:<topic>:<payload>`. The trusted-document
// registry's CLI sends one after a push, so running instances reload at once (server/persisted/registry/).
const NOTICE_MESSAGE_PREFIX = 'notice:';

/** Tells every instance listening on the channel about a change; resolves with how many received it. */
export function publishNotice(redis: RedisClient, channel: string, topic: string, payload: string): Promise<number> {
  return publish(redis, channel, `${NOTICE_MESSAGE_PREFIX}${topic}:${payload}`);
}

interface InvalidationMessage {
  origin: string;
  /** Lets the sender see its own message come back (see announce). */
  nonce?: number;
  tags?: string[];
}

export interface BusListener {
  /** Another instance invalidated these tags. */
  onTags(tags: string[]): void;
  /** Some instance (this one included) moved the epoch. */
  onEpoch(epoch: string): void;
  /** Something published a notice (publishNotice). */
  onNotice(topic: string, payload: string): void;
}

export class InvalidationBus {
  private readonly origin = randomUUID();
  private nonce = 0;
  private readonly echoes = new Map<number, () => void>();

  constructor(
    sub: SubscriberConnection,
    channel: string,
    private readonly listener: BusListener,
  ) {
    sub.on('message', (_channel: string, text: string) => this.receive(text));
    sub.subscribe(channel).catch(() => {});
  }

  /**
   * Runs `publish` with the message announcing `tags`, then waits (at most `timeoutMs`) for this
   * instance's subscriber to receive it. Redis hands a published message to every subscriber in the
   * same pass: once our copy is back, the other instances' copies are on the wire too, which is what
   * makes "the next read on another instance is fresh" hold in practice when the mutation returns.
   */
  async announce<T>(tags: readonly string[], timeoutMs: number, publish: (message: string) => Promise<T>): Promise<T> {
    const nonce = ++this.nonce;
    const message = JSON.stringify({ origin: this.origin, nonce, tags: [...tags] } satisfies InvalidationMessage);
    let timer: NodeJS.Timeout | undefined;
    const echo = new Promise<void>((resolve) => {
      this.echoes.set(nonce, resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    try {
      const result = await publish(message);
      await echo;
      return result;
    } finally {
      clearTimeout(timer);
      this.echoes.delete(nonce);
    }
  }

  private receive(text: string): void {
    let message: InvalidationMessage;
    try {
      message = JSON.parse(text) as InvalidationMessage;
    } catch {
      if (text.startsWith(EPOCH_MESSAGE_PREFIX)) this.listener.onEpoch(text.slice(EPOCH_MESSAGE_PREFIX.length));
      else if (text.startsWith(NOTICE_MESSAGE_PREFIX)) this.receiveNotice(text.slice(NOTICE_MESSAGE_PREFIX.length));
      return;
    }
    if (message.origin === this.origin) {
      if (message.nonce !== undefined) this.echoes.get(message.nonce)?.();
      return;
    }
    if (!Array.isArray(message.tags)) return;
    this.listener.onTags(message.tags);
  }

  private receiveNotice(text: string): void {
    const colon = text.indexOf(':');
    if (colon > 0) this.listener.onNotice(text.slice(0, colon), text.slice(colon + 1));
  }
}
