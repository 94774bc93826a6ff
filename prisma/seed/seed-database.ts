// Demo and benchmark data. seedDatabase fills an empty, migrated database with organizations, users,
// tags, tickets and comments that look like a real helpdesk, at a size set by `scale` (see
// plannedCounts).
//
// Deterministic: the same scale and seed give the same rows, ids and timestamps included, on PGlite
// and on PostgreSQL alike, given the same `now`. Every random choice comes from a seeded PRNG (random.ts),
// every date is derived from `now` (the calendar, read once: the moment the seed starts unless given), ids are explicit and the id sequences are moved past
// them afterwards. The one exception is User.passwordHash: DEMO_PASSWORD is hashed once per run with a
// random salt, so that column differs between runs (every user of one run shares the same hash). With
// demoPasswords 'random' (production, SEED_DEMO=1) each demo account gets a random password instead,
// returned once in the summary, and the other users a hash of a random password nobody is told.
//
// The world is planned first (make-plan.ts), compactly, then written table by table (insert-tables.ts);
// ticket text and comments are generated from the plan chunk by chunk, never all held in memory.
import type { PrismaClient } from '../generated/client.ts';
import { assertMigrated, emptyAllTables, moveSequencesPastIds, refuseIfNotEmpty } from './database-state.ts';
import { bulkPasswordHash, setRandomDemoPasswords, type DemoPasswords, type SeededAccount } from './demo-passwords.ts';
import { insertAll } from './insert-tables.ts';
import { seedCalendar } from './calendar.ts';
import { makePlan } from './make-plan.ts';
import { assertScale } from './planned-counts.ts';
import type { SeedCounts, SeedProgress } from './progress.ts';
import { SeedError } from './seed-error.ts';

interface SeedOptions {
  /** Size multiplier; 1 = 5 organizations, 500 users, 20,000 tickets, 100,000 comments. */
  scale: number;
  /** PRNG seed, an integer from 0 to 2^32-1. Default 1. */
  seed?: number;
  /** Empty every deskgraph table first (TRUNCATE ... RESTART IDENTITY CASCADE). Without it, a database
   * that already has organizations is refused. */
  reset?: boolean;
  /** fixed (default): every user has DEMO_PASSWORD; random: see demo-passwords.ts. */
  demoPasswords?: DemoPasswords;
  /** The seeded world's "now": tickets span the 90 days before it. Default: the moment the seed starts.
   * Fix it for rows that do not depend on the day they are seeded (tests comparing digests). */
  now?: Date;
  /** Called after each inserted chunk. */
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedSummary {
  scale: number;
  seed: number;
  /** Rows inserted into each table. */
  counts: SeedCounts;
  elapsedMs: number;
  /** With demoPasswords 'random': the demo accounts and their passwords, to show once; else null. */
  demoAccounts: SeededAccount[] | null;
}

/**
 * Fills an empty, migrated database. Refuses (SeedError) a database that has no deskgraph tables or
 * already has organizations, unless `reset` is set, which empties every deskgraph table first.
 * Everything runs in one transaction: a failed seed leaves the database as it was.
 */
export async function seedDatabase(prisma: PrismaClient, options: SeedOptions): Promise<SeedSummary> {
  const started = performance.now();
  const { scale, seed = 1, reset = false, demoPasswords = 'fixed', now = new Date(), onProgress } = options;
  assertScale(scale);
  assertSeed(seed);
  await assertMigrated(prisma);

  const plan = makePlan(scale, seed, seedCalendar(now));
  // Hashed once: every seeded user shares this hash (and its salt), which is what makes the
  // passwordHash column the one that differs between two runs with the same seed.
  const passwordHash = await bulkPasswordHash(demoPasswords);

  const { counts, demoAccounts } = await prisma.$transaction(
    async (tx) => {
      // Serializes concurrent seeds: the second one waits, then finds organizations and stops.
      await tx.$executeRawUnsafe('LOCK TABLE "Organization" IN SHARE ROW EXCLUSIVE MODE');
      await (reset ? emptyAllTables(tx) : refuseIfNotEmpty(tx));
      const counts = await insertAll(tx, plan, seed, passwordHash, onProgress);
      await moveSequencesPastIds(tx);
      return { counts, demoAccounts: demoPasswords === 'random' ? await setRandomDemoPasswords(tx) : null };
    },
    // One long transaction by design; these bounds only guard against a stuck connection.
    { maxWait: 30_000, timeout: 6 * 3_600_000 },
  );
  // Statistics now, not when autovacuum gets to them a minute or more later: until then the planner
  // guesses, and a plan it caches for a prepared statement (server/platform/statement-names.ts) may be a bad one.
  await prisma.$executeRawUnsafe('ANALYZE');
  return { scale, seed, counts, elapsedMs: Math.round(performance.now() - started), demoAccounts };
}

function assertSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SeedError(`The seed must be a whole number from 0 to 4294967295, got ${String(seed)}.`);
  }
}
