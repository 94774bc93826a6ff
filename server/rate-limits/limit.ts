// What every rate limit offers, counted in process, in Redis, or leased from either.
export interface Limit {
  /** Counts one attempt for key; resolves null when allowed, else the seconds to wait (≥ 1). */
  take(key: string): Promise<number | null>;
  /**
   * Counts one attempt for key when that can be decided in process (a leased point): null when allowed;
   * undefined when it cannot (nothing counted: call take). Lets a cache hit be answered without a promise.
   */
  takeNow?(key: string): null | undefined;
  /** Forgets key's count (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}
