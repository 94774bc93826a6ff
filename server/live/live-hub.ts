// The live hub: what turns the response cache's invalidations into pushed results. Subscribers with
// the same document, operation, variables and visibility scope form a group that executes once per
// change and shares the result (the scope is the cache's: viewers in one scope see the same bytes).
// A group remembers the tags its last result holds (the cache's vocabulary, server/CACHE.md); an
// invalidation of one of them — a write on this instance or, through the Redis bus, on another — marks
// the group, and after a short window every marked group re-executes once, as its viewer, and sends
// the result to its subscribers only when it differs from the last one sent.
import type { ExecutionResult } from 'graphql';
import { tokenTag } from '../../schema/cache-tags.ts';
import type { Logger } from '../platform/logger.ts';
import type { LiveConfig } from './live-config.ts';
import { isRefusal, liveErrors } from './live-errors.ts';
import { SubscriberQueue } from './subscriber-queue.ts';
import { endAtExpiry } from './token-expiry.ts';

/** One execution of a group's operation: the result, and the tags it depends on. */
export interface LiveRun {
  result: ExecutionResult;
  tags: ReadonlySet<string>;
}

export interface LiveSubscription {
  /** Equal for subscribers that would get identical results (document, operation, variables, scope). */
  key: string;
  /** The subscriber's token (SHA-256), for the per-token limit and revocation; null without one. */
  tokenHash: string | null;
  /** When that token expires (ms since the epoch): the stream ends then. null: never, or no token. */
  tokenExpiresAt: number | null;
  /** Executes the operation as the subscriber; the group keeps the first subscriber's. */
  run: () => Promise<LiveRun>;
}

export interface LiveHubCounts {
  subscribers: number;
  groups: number;
  /** Distinct tags some group waits on. */
  tags: number;
  /** Executions, first ones included, since start. */
  runs: number;
  /** Results queued for subscribers, first ones included, since start. */
  deliveries: number;
}

interface Subscriber {
  queue: SubscriberQueue;
  tokenHash: string | null;
  group: Group;
  cancelExpiry: (() => void) | null;
}

interface Group {
  key: string;
  run: () => Promise<LiveRun>;
  subscribers: Set<Subscriber>;
  /** Subscriptions waiting for the first result: the group stays while they wait. */
  joining: number;
  tags: ReadonlySet<string>;
  last: ExecutionResult | null;
  lastJson: string;
  /** The first execution: the result every joiner starts from, or the refusal they all get. */
  ready: Promise<void>;
  running: Promise<void> | null;
  /** Invalidations seen while executing: the result may predate them when it holds one of these tags. */
  missed: Set<string> | 'all' | null;
  again: boolean;
  removed: boolean;
}

// Re-executions run this many at a time: a write that wakes a thousand groups must not take every
// database connection of the pool from the requests.
const PARALLEL_RUNS = 8;
const TOKEN_TAG_PREFIX = tokenTag('');

export class LiveHub {
  private readonly groups = new Map<string, Group>();
  private readonly byTag = new Map<string, Set<Group>>();
  private readonly byToken = new Map<string, Set<Subscriber>>();
  private readonly running = new Set<Group>();
  private readonly dirty = new Set<Group>();
  private timer: NodeJS.Timeout | null = null;
  private subscribers = 0;
  /** Subscriptions admitted but not yet streaming: they count against the limits while they wait. */
  private admitting = 0;
  private runs = 0;
  private deliveries = 0;
  private closed = false;
  private flushing = 0;

  constructor(
    private readonly config: Pick<LiveConfig, 'maxPerToken' | 'maxPerInstance' | 'coalesceMs'>,
    private readonly logger: Logger,
  ) {}

  get counts(): LiveHubCounts {
    return { subscribers: this.subscribers, groups: this.groups.size, tags: this.byTag.size, runs: this.runs, deliveries: this.deliveries };
  }

  /** Whether a wake is waiting out its window or a group is executing (tests wait for this to pass). */
  get busy(): boolean {
    return this.timer !== null || this.running.size > 0 || this.flushing > 0;
  }

  /**
   * Opens a subscription: its results as a stream whose first item is the current result, or a single
   * result when it is refused (a limit, or the operation failed at its root: NOT_FOUND,
   * UNAUTHENTICATED, ...), which is what a query of the same selection would have answered.
   */
  async subscribe(request: LiveSubscription): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const refused = this.admit(request.tokenHash);
    if (refused) return refused;
    this.admitting += 1;
    const tokenKey = request.tokenHash ?? '';
    const reserved = this.tokenSet(tokenKey);
    const placeholder = {} as Subscriber; // holds the token's place while the first result is computed
    reserved.add(placeholder);
    let group = this.groups.get(request.key);
    if (!group) group = this.createGroup(request);
    group.joining += 1;
    try {
      await group.ready;
      // The current result, not the first one: the group may have re-executed since it opened.
      const first = group.last;
      if (!first || isRefusal(first)) return first ?? liveErrors.unexpected();
      if (this.closed) return liveErrors.shuttingDown();
      const subscriber: Subscriber = { tokenHash: request.tokenHash, group, queue: null!, cancelExpiry: null };
      subscriber.queue = new SubscriberQueue(first, () => this.leave(subscriber));
      if (request.tokenExpiresAt !== null) {
        subscriber.cancelExpiry = endAtExpiry(request.tokenExpiresAt, () => subscriber.queue.end(liveErrors.expired()));
      }
      group.subscribers.add(subscriber);
      this.tokenSet(tokenKey).add(subscriber);
      this.subscribers += 1;
      this.deliveries += 1;
      return subscriber.queue;
    } finally {
      this.admitting -= 1;
      group.joining -= 1;
      this.forgetToken(tokenKey, placeholder);
      if (group.subscribers.size === 0 && group.joining === 0) this.removeGroup(group);
    }
  }

  /** An invalidation (local or from another instance): wakes the groups waiting on one of the tags. */
  invalidated(tags: readonly string[] | 'all'): void {
    if (this.closed) return;
    if (tags !== 'all') this.revokeTokens(tags);
    for (const group of this.running) {
      if (tags === 'all') group.missed = 'all';
      else if (group.missed !== 'all') for (const tag of tags) group.missed?.add(tag);
    }
    // A group executing now is not marked: it checks what it missed against its new result's tags.
    const wake = (group: Group) => {
      if (!this.running.has(group)) this.dirty.add(group);
    };
    if (tags === 'all') for (const group of this.groups.values()) wake(group);
    else for (const tag of tags) for (const group of this.byTag.get(tag) ?? []) wake(group);
    if (this.dirty.size > 0 && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.config.coalesceMs);
      this.timer.unref();
    }
  }

  /** Ends every subscription with SERVICE_UNAVAILABLE (the client subscribes again, elsewhere) and refuses new ones. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.dirty.clear();
    for (const group of [...this.groups.values()])
      for (const subscriber of [...group.subscribers]) subscriber.queue.end(liveErrors.shuttingDown());
  }

  private admit(tokenHash: string | null): ExecutionResult | null {
    if (this.closed) return liveErrors.shuttingDown();
    const { maxPerInstance, maxPerToken } = this.config;
    if (this.subscribers + this.admitting >= maxPerInstance) {
      return liveErrors.tooMany('instance', maxPerInstance);
    }
    if ((this.byToken.get(tokenHash ?? '')?.size ?? 0) >= maxPerToken) {
      return liveErrors.tooMany('token', maxPerToken);
    }
    return null;
  }

  private createGroup(request: LiveSubscription): Group {
    const group: Group = {
      key: request.key,
      run: request.run,
      subscribers: new Set(),
      joining: 0,
      tags: new Set(),
      last: null,
      lastJson: '',
      ready: Promise.resolve(),
      running: null,
      missed: null,
      again: false,
      removed: false,
    };
    this.groups.set(request.key, group);
    group.ready = this.runGroup(group);
    return group;
  }

  private runGroup(group: Group): Promise<void> {
    if (group.running) {
      group.again = true;
      return group.running;
    }
    group.running = (async () => {
      try {
        do {
          group.again = false;
          group.missed = new Set();
          this.running.add(group);
          let outcome: LiveRun;
          try {
            outcome = await group.run();
            this.runs += 1;
          } catch (error) {
            // The first run's failure is the subscriber's answer; a later one keeps the last result
            // and the next invalidation tries again.
            if (!group.last) throw error;
            this.logger.warn({ err: error }, 'a live re-execution failed; subscribers keep the last result');
            return;
          } finally {
            this.running.delete(group);
          }
          const missed = group.missed as Group['missed'];
          group.missed = null;
          if (group.removed) return;
          this.apply(group, outcome);
          if (missed === 'all' || [...outcome.tags].some((tag) => missed?.has(tag))) group.again = true;
        } while (group.again && !group.removed && !this.closed);
      } finally {
        group.running = null;
      }
    })();
    return group.running;
  }

  private apply(group: Group, { result, tags }: LiveRun): void {
    this.index(group, tags);
    const json = JSON.stringify(result);
    if (json === group.lastJson) return;
    group.last = result;
    group.lastJson = json;
    for (const subscriber of group.subscribers) subscriber.queue.push(result);
    this.deliveries += group.subscribers.size;
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const groups = [...this.dirty];
    this.dirty.clear();
    this.flushing += 1;
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        if (!group.removed) await this.runGroup(group).catch(() => {});
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_RUNS, groups.length) }, worker));
    this.flushing -= 1;
  }

  private index(group: Group, tags: ReadonlySet<string>): void {
    for (const tag of group.tags) if (!tags.has(tag)) this.unindexTag(group, tag);
    for (const tag of tags) {
      let groups = this.byTag.get(tag);
      if (!groups) this.byTag.set(tag, (groups = new Set()));
      groups.add(group);
    }
    group.tags = tags;
  }

  private unindexTag(group: Group, tag: string): void {
    const groups = this.byTag.get(tag);
    groups?.delete(group);
    if (groups?.size === 0) this.byTag.delete(tag);
  }

  // Logout anywhere sends the token's tag over the bus: its subscriptions end with the error a
  // request with that token now gets.
  private revokeTokens(tags: readonly string[]): void {
    for (const tag of tags) {
      if (!tag.startsWith(TOKEN_TAG_PREFIX)) continue;
      for (const subscriber of [...(this.byToken.get(tag.slice(TOKEN_TAG_PREFIX.length)) ?? [])]) {
        subscriber.queue?.end(liveErrors.revoked());
      }
    }
  }

  private leave(subscriber: Subscriber): void {
    subscriber.cancelExpiry?.();
    const { group } = subscriber;
    if (!group.subscribers.delete(subscriber)) return;
    this.subscribers -= 1;
    this.forgetToken(subscriber.tokenHash ?? '', subscriber);
    if (group.subscribers.size === 0 && group.joining === 0) this.removeGroup(group);
  }

  private removeGroup(group: Group): void {
    if (group.removed || this.groups.get(group.key) !== group) return;
    group.removed = true;
    this.groups.delete(group.key);
    this.dirty.delete(group);
    for (const tag of group.tags) this.unindexTag(group, tag);
  }

  private tokenSet(key: string): Set<Subscriber> {
    let set = this.byToken.get(key);
    if (!set) this.byToken.set(key, (set = new Set()));
    return set;
  }

  private forgetToken(key: string, subscriber: Subscriber): void {
    const set = this.byToken.get(key);
    set?.delete(subscriber);
    if (set?.size === 0) this.byToken.delete(key);
  }
}
