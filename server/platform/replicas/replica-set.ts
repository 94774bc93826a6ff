// The read replicas of one PostgreSQL primary: a pool and a Prisma adapter per replica, the poller
// that keeps their state, and the router that uses it. database.ts puts its adapter under the
// statement counter when DATABASE_REPLICA_URLS is set; without it none of this exists.
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { ReplicaConfig } from '../platform-config.ts';
import { LsnPoller, type ReplicaState } from './lsn-poller.ts';
import { ReadRouter, type ReadCounts } from './read-router.ts';
import { routingAdapterFactory } from './routing-adapter.ts';

export interface ReplicaSet {
  /** The primary's adapter factory with reads routed (to be wrapped by the statement counter). */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Each replica's state, as last polled (metrics, readiness). */
  replicas: readonly ReplicaState[];
  /** Reads outside transactions by where they went. */
  reads: ReadCounts;
  close(): Promise<void>;
}

export interface ReplicaSetOptions {
  primaryUrl: string;
  primary: SqlMigrationAwareDriverAdapterFactory;
  config: ReplicaConfig;
  /** Per replica, like the primary's. */
  poolSize: number;
  connectTimeoutMs: number;
  /** The driver adapter's options, as the primary's (prepared statement names). */
  pgOptions: ConstructorParameters<typeof PrismaPg>[1];
  logger: Logger;
  redact(url: string): string;
}

export function openReplicaSet(options: ReplicaSetOptions): ReplicaSet {
  const { config } = options;
  const pools = config.urls.map((url) => {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize, connectionTimeoutMillis: options.connectTimeoutMs });
    // A replica going away errors its idle connections; the poller takes it out, the process must not crash.
    pool.on('error', () => {});
    return pool;
  });
  const replicas: ReplicaState[] = config.urls.map((url, i) => ({
    name: `replica${i + 1}`,
    label: options.redact(url),
    inService: false,
    replayLsn: 0n,
    lagMs: null,
    outReason: 'not polled yet',
  }));
  const poller = new LsnPoller(
    options.primaryUrl,
    replicas,
    config.urls,
    { maxLagMs: config.maxLagMs, pollMs: config.pollMs, connectTimeoutMs: options.connectTimeoutMs },
    options.logger.child({ component: 'replicas' }),
  );
  const router = new ReadRouter(replicas);
  poller.start();
  return {
    adapterFactory: routingAdapterFactory({
      primary: options.primary,
      replicas: pools.map((pool) => new PrismaPg(pool, options.pgOptions)),
      router,
      poller,
    }),
    replicas,
    reads: router.counts,
    async close() {
      await poller.close();
      await Promise.all(pools.map((pool) => pool.end()));
    },
  };
}
