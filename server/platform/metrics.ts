// Prometheus metrics for /metrics. One registry per app instance (tests run several in one process),
// so nothing here touches prom-client's global registry.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { statementsSent } from './sql-statements.ts';

export const WEB_VITALS = ['LCP', 'INP', 'CLS', 'FCP', 'TTFB'] as const;
type WebVital = (typeof WEB_VITALS)[number];

type HitLabels = Record<'operation' | 'layer' | 'path', string>;

/** A count kept in a plain number and added to its counter when /metrics is read: see Metrics.hitCount. */
export interface CountCell {
  count: number;
}

export interface Metrics {
  registry: Registry;
  cacheHits: Counter<'operation' | 'layer' | 'path'>;
  /**
   * The cell deskgraph_cache_hits_total{labels} is counted in on the cache-hit stage: `cell.count += 1`
   * there, added to the counter when it is read. prom-client's inc() hashes and validates the labels on
   * every call, a noticeable share of what a small hit costs. Ask once per label set and keep the cell.
   */
  hitCount(labels: HitLabels): CountCell;
  cacheMisses: Counter<'operation'>;
  cacheStores: Counter<'outcome'>;
  cacheEvictions: Counter<'layer' | 'reason'>;
  cacheInvalidations: Counter<'kind' | 'operation'>;
  cacheErrors: Counter<'command'>;
  cacheBypass: Counter<'reason'>;
  cacheAckTimeouts: Counter;
  cacheWarms: Counter<'outcome'>;
  cacheRedisUp: Gauge;
  cacheL1Entries: Gauge;
  cacheL1Bytes: Gauge;
  /** Live updates (server/live/), read from the hub when /metrics is scraped. */
  liveSubscriptions: Gauge;
  liveGroups: Gauge;
  liveRuns: Counter;
  liveDeliveries: Counter;
  /** Requests refused with HTTP 429, by limit (token, login-email-ip, login-ip). */
  rateLimited: Counter<'limit'>;
  requestDuration: Histogram<'operation' | 'cache'>;
  sqlStatements: Histogram<'operation'>;
  /** Every SQL statement the process sent, requests or not; read at scrape time. */
  sqlStatementsTotal: Counter;
  /** Read replicas (server/platform/replicas/), set from their state when /metrics is scraped; absent without replicas. */
  dbReplicaUp: Gauge<'replica'>;
  dbReplicaLag: Gauge<'replica'>;
  dbReads: Counter<'target' | 'reason'>;
  /** Core Web Vitals reported by browsers (POST /vitals): seconds for timings, unitless for CLS. */
  webVitals: Record<WebVital, Histogram<'route' | 'rating'>>;
  /** Bounded label for an operation name: client-chosen names must not grow the series without limit. */
  operationLabel(name: string | null | undefined): string;
}

const MAX_OPERATION_LABELS = 200;

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'deskgraph_' });
  const r = { registers: [registry] };
  const seen = new Set<string>();
  const hitCells = new Map<string, { labels: HitLabels; cell: CountCell }>();
  const vital = (suffix: string, help: string, buckets: number[]) =>
    new Histogram({
      ...r,
      name: `deskgraph_web_vitals_${suffix}`,
      help: `${help} Reported by the web client, by route and rating.`,
      labelNames: ['route', 'rating'],
      buckets,
    });
  return {
    registry,
    cacheHits: new Counter({
      ...r,
      name: 'deskgraph_cache_hits_total',
      help: 'Responses served from the cache, by operation, layer and path (fast = before GraphQL).',
      labelNames: ['operation', 'layer', 'path'],
      collect() {
        for (const { labels, cell } of hitCells.values()) {
          if (cell.count === 0) continue;
          this.inc(labels, cell.count);
          cell.count = 0;
        }
      },
    }),
    cacheMisses: new Counter({
      ...r,
      name: 'deskgraph_cache_misses_total',
      help: 'Cacheable queries that had to be executed.',
      labelNames: ['operation'],
    }),
    cacheStores: new Counter({
      ...r,
      name: 'deskgraph_cache_stores_total',
      help: 'Attempts to store an executed result: stored, or refused because an invalidation raced the read.',
      labelNames: ['outcome'],
    }),
    cacheEvictions: new Counter({
      ...r,
      name: 'deskgraph_cache_evictions_total',
      help: 'Entries removed, by layer and reason (invalidated, lru, expired, cleared).',
      labelNames: ['layer', 'reason'],
    }),
    cacheInvalidations: new Counter({
      ...r,
      name: 'deskgraph_cache_invalidations_total',
      help: 'Tags invalidated, by tag kind and by the mutation that did it (remote: another instance).',
      labelNames: ['kind', 'operation'],
    }),
    cacheErrors: new Counter({
      ...r,
      name: 'deskgraph_cache_errors_total',
      help: 'Redis commands that failed or timed out; the request was answered from the database.',
      labelNames: ['command'],
    }),
    cacheAckTimeouts: new Counter({
      ...r,
      name: 'deskgraph_cache_ack_timeouts_total',
      help: 'Instances a write stopped waiting for because their lease ran out before they acknowledged its invalidation.',
    }),
    cacheWarms: new Counter({
      ...r,
      name: 'deskgraph_cache_warms_total',
      help: 'Evicted hot entries the warmer executed again: stored, not_stored (a write refused it, or not cacheable) or failed; skipped_busy: not run, the event loop was saturated.',
      labelNames: ['outcome'],
    }),
    cacheBypass: new Counter({
      ...r,
      name: 'deskgraph_cache_bypass_total',
      help: 'Queries that skipped the cache, by reason.',
      labelNames: ['reason'],
    }),
    cacheRedisUp: new Gauge({
      ...r,
      name: 'deskgraph_cache_redis_up',
      help: '1 when the Redis layer is usable, 0 when degraded (or not configured).',
    }),
    cacheL1Entries: new Gauge({ ...r, name: 'deskgraph_cache_l1_entries', help: 'Entries in the in-process layer.' }),
    cacheL1Bytes: new Gauge({ ...r, name: 'deskgraph_cache_l1_bytes', help: 'Bytes held by the in-process layer.' }),
    liveSubscriptions: new Gauge({ ...r, name: 'deskgraph_live_subscriptions', help: 'Open subscriptions on this instance.' }),
    liveGroups: new Gauge({
      ...r,
      name: 'deskgraph_live_groups',
      help: 'Subscription groups (same document, variables and visibility scope): each re-executes once per change.',
    }),
    liveRuns: new Counter({
      ...r,
      name: 'deskgraph_live_executions_total',
      help: 'Executions of subscription groups, first ones included.',
    }),
    liveDeliveries: new Counter({
      ...r,
      name: 'deskgraph_live_deliveries_total',
      help: 'Results queued for subscribers, first ones included.',
    }),
    rateLimited: new Counter({
      ...r,
      name: 'deskgraph_rate_limited_total',
      help: 'Requests refused with HTTP 429, by limit (token, login-email-ip, login-ip).',
      labelNames: ['limit'],
    }),
    requestDuration: new Histogram({
      ...r,
      name: 'deskgraph_request_duration_seconds',
      help: 'GraphQL request latency by operation and cache outcome.',
      labelNames: ['operation', 'cache'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    sqlStatements: new Histogram({
      ...r,
      name: 'deskgraph_sql_statements',
      help: 'SQL statements per GraphQL operation.',
      labelNames: ['operation'],
      buckets: [0, 1, 2, 3, 4, 5, 6, 8, 10, 20, 50, 100],
    }),
    sqlStatementsTotal: new Counter({
      ...r,
      name: 'deskgraph_sql_statements_total',
      help: 'SQL statements this process sent to the database, for any reason.',
      // The count lives in sql-statements.ts (process-wide, below Prisma); the counter shows it when scraped.
      collect() {
        this.reset();
        this.inc(statementsSent());
      },
    }),
    dbReplicaUp: new Gauge({
      ...r,
      name: 'deskgraph_db_replica_up',
      help: '1 while a read replica is in service, 0 while it is out (down, not a standby, or lagging beyond DATABASE_REPLICA_MAX_LAG_MS).',
      labelNames: ['replica'],
    }),
    dbReplicaLag: new Gauge({
      ...r,
      name: 'deskgraph_db_replica_lag_seconds',
      help: "How far a read replica's replay was behind the primary's WAL at its last poll (0 when caught up).",
      labelNames: ['replica'],
    }),
    dbReads: new Counter({
      ...r,
      name: 'deskgraph_db_reads_total',
      help: 'Reads outside transactions with replicas configured, by target (replica, primary) and, for the primary, why (pinned, behind, unavailable, request, retry).',
      labelNames: ['target', 'reason'],
    }),
    webVitals: {
      // Buckets bracket Google's good/poor thresholds, so the share in each rating reads off the histogram.
      LCP: vital('lcp_seconds', 'Largest Contentful Paint (good ≤ 2.5 s, poor > 4 s).', [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5, 6, 8, 10, 15]),
      INP: vital(
        'inp_seconds',
        'Interaction to Next Paint (good ≤ 200 ms, poor > 500 ms).',
        [0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2, 5],
      ),
      FCP: vital('fcp_seconds', 'First Contentful Paint (good ≤ 1.8 s, poor > 3 s).', [0.25, 0.5, 1, 1.5, 1.8, 2.4, 3, 4, 6, 10]),
      TTFB: vital(
        'ttfb_seconds',
        'Time to First Byte of the document (good ≤ 0.8 s, poor > 1.8 s).',
        [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.2, 1.8, 2.5, 4, 8],
      ),
      CLS: vital(
        'cls',
        'Cumulative Layout Shift, unitless (good ≤ 0.1, poor > 0.25).',
        [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.35, 0.5, 1],
      ),
    },
    hitCount(labels) {
      const key = `${labels.operation}\n${labels.layer}\n${labels.path}`;
      let known = hitCells.get(key);
      if (!known) hitCells.set(key, (known = { labels: { ...labels }, cell: { count: 0 } }));
      return known.cell;
    },
    operationLabel(name) {
      const label = name ? name.slice(0, 64) : 'anonymous';
      if (seen.has(label)) return label;
      if (seen.size >= MAX_OPERATION_LABELS) return 'other';
      seen.add(label);
      return label;
    },
  };
}
