// Live updates' settings (README: "Live updates"; how they work: server/live/live-hub.ts).
import { z } from 'zod';
import { bool, int } from '../platform/env-schema.ts';

export interface LiveConfig {
  /** Subscriptions served (GraphQL over SSE); off, every subscription is refused with LIVE_UPDATES_OFF. */
  enabled: boolean;
  /** Open subscriptions one token may hold on one instance; the next is refused with TOO_MANY_SUBSCRIPTIONS. */
  maxPerToken: number;
  /** Open subscriptions one instance holds in all; the next is refused with TOO_MANY_SUBSCRIPTIONS. */
  maxPerInstance: number;
  /** Invalidations arriving within this many ms of the first share one re-execution per subscription group. */
  coalesceMs: number;
  /** A single-connection stream reserved (PUT) but not opened within this long is closed with its operations. */
  reservationTtlMs: number;
}

export const liveEnv = z.object({
  LIVE_UPDATES: bool('LIVE_UPDATES').default(true),
  LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN: int('LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN', 1, 10_000).default(20),
  LIVE_MAX_SUBSCRIPTIONS: int('LIVE_MAX_SUBSCRIPTIONS', 1, 1_000_000).default(10_000),
  LIVE_COALESCE_MS: int('LIVE_COALESCE_MS', 0, 5_000).default(0),
});

export function liveConfig(e: z.output<typeof liveEnv>): LiveConfig {
  return {
    enabled: e.LIVE_UPDATES,
    maxPerToken: e.LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN,
    maxPerInstance: e.LIVE_MAX_SUBSCRIPTIONS,
    coalesceMs: e.LIVE_COALESCE_MS,
    // Not a setting: a client opens its stream right after reserving it (tests shorten it).
    reservationTtlMs: 15_000,
  };
}
