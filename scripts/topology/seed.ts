// The primary is migrated and seeded once, here, before any instance starts (the instances run with
// AUTO_MIGRATE=false): three instances preparing one database at once would race. The replica gets
// everything by streaming replication.
import { applyMigrations } from '../../prisma/migrations.ts';
import { seedDatabase } from '../../prisma/seed/seed-database.ts';
import { openDatabase } from '../../server/platform/database.ts';

export interface PrepareResult {
  applied: number;
  /** Tickets seeded; null when the database already had data (a kept topology) and was left as it was. */
  seededTickets: number | null;
}

export async function migrateAndSeed(url: string, scale: number): Promise<PrepareResult> {
  const database = await openDatabase({ kind: 'postgres', url, poolSize: 4, connectTimeoutMs: 5000 });
  try {
    const { applied } = await applyMigrations(database.adapterFactory);
    if ((await database.prisma.organization.count()) > 0) return { applied: applied.length, seededTickets: null };
    // The development demo data: every account has the README's demo password.
    const summary = await seedDatabase(database.prisma, { scale, seed: 1, demoPasswords: 'fixed' });
    return { applied: applied.length, seededTickets: summary.counts.tickets };
  } finally {
    await database.close();
  }
}
