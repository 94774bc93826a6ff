// A DataLoader that answers synchronously for what it was primed with. A list read with its relations
// (ticket/list-sql.ts) primes the loaders of those relations; the resolvers then ask `get`, which returns
// the row itself instead of a promise: in a 50-ticket list with comments that is some 600 promises, and
// their microtask turns, fewer per request. Everything else behaves as DataLoader: `load` still batches,
// and a primed value never replaces one already loaded (DataLoader's prime is a no-op then too).
import DataLoader from 'dataloader';

/** A value now, or a promise of it. */
export type Known<T> = T | Promise<T>;

export class KnownLoader<K, V, C = K> extends DataLoader<K, V, C> {
  private readonly known = new Map<C, V>();
  /** Keys asked through load: a later prime must not shadow what the batch returns for them. */
  private readonly asked = new Set<C>();
  private readonly keyOf: (key: K) => C;

  constructor(batch: DataLoader.BatchLoadFn<K, V>, options?: DataLoader.Options<K, V, C>) {
    super(batch, options);
    const cacheKeyFn = options?.cacheKeyFn;
    this.keyOf = cacheKeyFn ?? ((key: K) => key as unknown as C);
  }

  /** The value when it was primed, else a load. */
  get(key: K): Known<V> {
    const value = this.known.get(this.keyOf(key));
    return value !== undefined ? value : this.load(key);
  }

  override load(key: K): Promise<V> {
    const cacheKey = this.keyOf(key);
    const value = this.known.get(cacheKey);
    if (value !== undefined) return Promise.resolve(value);
    this.asked.add(cacheKey);
    return super.load(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    const cacheKey = this.keyOf(key);
    if (this.known.has(cacheKey) || this.asked.has(cacheKey) || value instanceof Error || isThenable(value)) {
      return super.prime(key, value);
    }
    this.known.set(cacheKey, value);
    return this;
  }

  override clear(key: K): this {
    const cacheKey = this.keyOf(key);
    this.known.delete(cacheKey);
    this.asked.delete(cacheKey);
    return super.clear(key);
  }

  override clearAll(): this {
    this.known.clear();
    this.asked.clear();
    return super.clearAll();
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** fn applied to a value now, or when its promise settles. */
export function whenKnown<T, R>(value: Known<T>, fn: (value: T) => R): Known<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/**
 * A row a foreign key guarantees (a ticket's requester, a comment's author), typed as present: were it
 * missing, GraphQL would answer the non-null field's error, as for any null.
 */
export function present<T>(value: Known<T | null>): Known<T> {
  return value as Known<T>;
}
