// How precise invalidation is, and whether it is ever too lax, on the mix's own requests (bench:cache:mix,
// after the scenarios). One instance with the memory cache and one without, on one copy of the data.
// Every read of the mix (and a few more list shapes) is cached; then, one write of the mix at a time,
// each read is sent to both: a miss on the cached instance is an eviction, *needed* when the uncached
// answer differs from the answer before the write; a hit whose data differs from the uncached answer is
// a STALE read. Sequential, so nothing races: every miss is the write's doing (the audit is kept short
// of the dashboard's 60 s TTL by its number of writes).
import type { BenchDatabases } from './database.ts';
import { startInstance, type Instance } from './server.ts';
import { prepareSessions, type Session } from './sessions.ts';
import { log, type Cleanup } from './util.ts';
import { buildMix, requestBody, type Mix } from './workload.ts';

type Entry = Mix['entries'][number];

export interface AuditResult {
  writes: number;
  /** Cached entries audited after each write. */
  entries: number;
  evicted: number;
  /** Evictions whose entry would have answered the same as before the write. */
  unneeded: number;
  stale: number;
  staleSamples: string[];
  byWrite: Record<string, { writes: number; evicted: number; unneeded: number }>;
  byRead: Record<string, { evicted: number; unneeded: number }>;
  /** Evictions not needed, by "write → read": where precision is lost. */
  unneededByPair: Record<string, number>;
}

// List shapes the mix does not read, so that the rule is audited beyond it: order by updatedAt and by
// priority, the assignee and unassigned filters, a status the mix's writes move tickets into.
const EXTRA_READS: [string, string][] = [
  ['ByUpdated', `query ByUpdated { tickets(first: 10, orderBy: { field: UPDATED_AT }) { totalCount edges { node { id } } } }`],
  ['Pending', `query Pending { tickets(first: 10, filter: { status: [PENDING] }) { totalCount edges { node { id status } } } }`],
  ['Unassigned', `query Unassigned { tickets(first: 10, filter: { unassigned: true }) { totalCount edges { node { id } } } }`],
  [
    'LowByPriority',
    `query LowByPriority { tickets(first: 10, filter: { priority: [LOW, MEDIUM] }, orderBy: { field: PRIORITY }) { totalCount edges { node { id priority } } } }`,
  ],
];

function extraReads(sessions: Session[]): Entry[] {
  return sessions
    .filter((s) => s.role !== 'CUSTOMER')
    .flatMap((s) =>
      EXTRA_READS.map(([op, query]) => ({
        op,
        kind: 'read' as const,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
        body: requestBody(query, op),
        weight: 0,
      })),
    );
}

async function post(url: string, entry: Entry): Promise<{ data: string; hit: boolean }> {
  const body = typeof entry.body === 'function' ? entry.body() : entry.body;
  const response = await fetch(url, { method: 'POST', headers: entry.headers, body });
  const json = (await response.json()) as { data?: unknown; errors?: unknown[]; extensions?: { responseCache?: { hit?: boolean } } };
  if (!response.ok || json.errors) throw new Error(`${entry.op}: HTTP ${response.status} ${JSON.stringify(json).slice(0, 300)}`);
  return { data: JSON.stringify(json.data), hit: json.extensions?.responseCache?.hit === true };
}

function pickWrite(writes: Entry[]): Entry {
  const total = writes.reduce((a, w) => a + w.weight, 0);
  let x = Math.random() * total;
  for (const w of writes) if ((x -= w.weight) <= 0) return w;
  return writes[writes.length - 1]!;
}

export async function auditEvictions(options: {
  root: string;
  cleanup: Cleanup;
  databases: BenchDatabases;
  writes: number;
}): Promise<AuditResult> {
  const database = await options.databases.copy('audit');
  const env = (cache: boolean) => ({
    DATABASE_URL: database.url,
    AUTO_MIGRATE: 'false',
    SEED_IF_EMPTY: 'false',
    RESPONSE_CACHE: String(cache),
    CACHE_METADATA: 'true',
    // A miss is how the audit sees an eviction: warming would refill the entry before it looks.
    CACHE_WARM: 'false',
  });
  const instances: Instance[] = [];
  try {
    const start = (name: string, cache: boolean) => startInstance({ name, root: options.root, cleanup: options.cleanup, env: env(cache) });
    instances.push(...(await Promise.all([start('audit', true), start('audit-uncached', false)])));
    const [cached, uncached] = instances as [Instance, Instance];
    const sessions = await prepareSessions(cached.graphqlUrl);
    const mix = buildMix(sessions);
    const reads = [...mix.entries.filter((e) => e.kind === 'read'), ...extraReads(sessions)];
    const writes = mix.entries.filter((e) => e.kind === 'write');
    const last = new Map<Entry, string>();
    for (const read of reads) last.set(read, (await post(cached.graphqlUrl, read)).data);

    const result: AuditResult = {
      writes: 0,
      entries: reads.length,
      evicted: 0,
      unneeded: 0,
      stale: 0,
      staleSamples: [],
      byWrite: {},
      byRead: {},
      unneededByPair: {},
    };
    const started = performance.now();
    for (let i = 0; i < options.writes; i += 1) {
      const write = pickWrite(writes);
      await post(cached.graphqlUrl, write);
      const perWrite = (result.byWrite[write.op] ??= { writes: 0, evicted: 0, unneeded: 0 });
      perWrite.writes += 1;
      result.writes += 1;
      for (const read of reads) {
        const [now, truth] = await Promise.all([post(cached.graphqlUrl, read), post(uncached.graphqlUrl, read)]);
        const perRead = (result.byRead[read.op] ??= { evicted: 0, unneeded: 0 });
        if (now.hit) {
          if (now.data !== truth.data) {
            result.stale += 1;
            if (result.staleSamples.length < 3) result.staleSamples.push(`${read.op} after ${write.op}: ${now.data.slice(0, 200)}`);
          }
        } else {
          const unneeded = truth.data === last.get(read) ? 1 : 0;
          result.evicted += 1;
          perWrite.evicted += 1;
          perRead.evicted += 1;
          result.unneeded += unneeded;
          perWrite.unneeded += unneeded;
          perRead.unneeded += unneeded;
          const pair = `${write.op} → ${read.op}`;
          if (unneeded) result.unneededByPair[pair] = (result.unneededByPair[pair] ?? 0) + 1;
        }
        last.set(read, truth.data);
      }
    }
    log(`  audit: ${result.writes} writes × ${reads.length} reads in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  } finally {
    await Promise.all(instances.map((i) => i.stop()));
    await database.drop();
  }
}

/** The audit's lines for the report. */
export function reportAudit(a: AuditResult): string[] {
  const pct = (part: number, whole: number) => (whole ? `${((part / whole) * 100).toFixed(0)}%` : '—');
  const per = (n: number) => (a.writes ? (n / a.writes).toFixed(2) : '—');
  return [
    `Eviction audit (one instance, memory cache, sequential): ${a.writes} writes of the mix, ${a.entries} cached reads checked after each.`,
    `  evicted per write ${per(a.evicted)}, of which not needed ${per(a.unneeded)} (${pct(a.unneeded, a.evicted)} of evictions); stale reads ${a.stale}${a.stale ? ' !!!' : ''}`,
    `  by write: ${Object.entries(a.byWrite)
      .map(([op, w]) => `${op} ×${w.writes} evicts ${(w.evicted / w.writes).toFixed(1)} (${(w.unneeded / w.writes).toFixed(1)} not needed)`)
      .join('; ')}`,
    `  by read (evictions, not needed): ${Object.entries(a.byRead)
      .filter(([, r]) => r.evicted)
      .map(([op, r]) => `${op} ${r.evicted}/${r.unneeded}`)
      .join(', ')}`,
    `  not needed, by write → read: ${
      Object.entries(a.unneededByPair)
        .sort((x, y) => y[1] - x[1])
        .map(([pair, n]) => `${pair} ${n}`)
        .join(', ') || 'none'
    }`,
    ...a.staleSamples.map((s) => `  STALE: ${s}`),
  ];
}
