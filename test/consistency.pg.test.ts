// The short form of `npm run check:consistency` (README, "Checking consistency"): three real instances
// on one database and one Redis, 1,000 randomized operations of every kind, an instance killed and
// restarted and one instance's Redis link cut and restored during the run, and every read judged
// against the acknowledged writes. The promise of server/CACHE.md: not one violation.
import { describe, expect, inject, it } from 'vitest';
import { formatReport } from '../scripts/consistency/report.ts';
import { runCheck } from '../scripts/consistency/runner.ts';
import { copyTemplate } from './template-db.ts';

/** Fixed, so a failure here replays with `npm run check:consistency -- --ops 1000 --seed 16016`. */
const SEED = 16016;

describe('read-your-writes on three instances, under faults', () => {
  it('1,000 operations with an instance killed and a Redis link cut: every kind ran, both faults happened, 0 violations', async () => {
    if (!process.env.TEST_REDIS_URL) throw new Error('TEST_REDIS_URL is not set');
    const copy = await copyTemplate(inject('template'));
    if (copy.config.kind !== 'postgres') throw new Error('needs the postgres project');
    try {
      const summary = await runCheck({
        ops: 1000,
        seed: SEED,
        concurrency: 12,
        faults: ['kill', 'redis-cut'],
        instances: 3,
        preparedDatabaseUrl: copy.config.url,
        redisUrl: process.env.TEST_REDIS_URL,
        ticketsPerOrg: 8,
        sessionsPerAccount: 2,
        timeoutMs: 10_000,
        faultHoldMs: 1000,
        command: `npm run check:consistency -- --ops 1000 --seed ${SEED}`,
        log: () => {},
      });
      const report = formatReport(summary);
      expect(summary.ops, report).toBe(1000);
      expect(summary.faults.map((f) => f.kind).sort(), report).toEqual(['kill', 'redis-cut']);
      for (const kind of ['ticket', 'node', 'list', 'dashboard', 'createTicket', 'addTags', 'updateTicket', 'bulkUpdateTickets']) {
        expect(summary.opsByKind[kind] ?? 0, `${kind}\n${report}`).toBeGreaterThan(0);
      }
      expect(summary.opsByKind['addComment (public)'] ?? 0, report).toBeGreaterThan(0);
      expect(summary.opsByKind['addComment (internal)'] ?? 0, report).toBeGreaterThan(0);
      for (const via of ['persisted-get', 'persisted-post', 'plain-post']) expect(summary.transports[via] ?? 0, report).toBeGreaterThan(0);
      expect(summary.readsChecked, report).toBeGreaterThan(500);
      expect(summary.violations.length, report).toBe(0);
    } finally {
      await copy.drop();
    }
  }, 240_000);
});
