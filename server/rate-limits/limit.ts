// What every rate limit offers, counted in process, in Redis, or leased from either.
export interface Limit {
  /** Counts one attempt for key; resolves null when allowed, else the seconds to wait (≥ 1). */
  take(key: string): Promise<number | null>;
  /** Forgets key's count (a successful login clears its failures). */
  reset(key: string): Promise<void>;
}
