// Makes a database ready to serve: applies pending migrations and, when it holds no data yet, seeds it.
// The embedded default does both on every start (cheap when nothing is pending), so `npm start` on a
// fresh clone just works and a second start keeps the data. In production the demo seed runs only with
// SEED_DEMO=1, and then with random passwords printed here once (prisma/seed/demo-passwords.ts).
import { applyMigrations, defaultMigrationsDir } from '../../prisma/migrations.ts';
import { pendingMigrations } from '../../prisma/migrate/pending.ts';
import { demoPasswordsFor, seededAccountLines, seedRefusal } from '../../prisma/seed/demo-passwords.ts';
import { seedDatabase } from '../../prisma/seed/seed-database.ts';
import type { Config } from './config.ts';
import type { Database } from './database.ts';
import type { Logger } from './logger.ts';
import { onPrimary } from './replicas/read-floor.ts';

export function prepareDatabase(database: Database, config: Config, logger: Logger): Promise<void> {
  // On the primary alone: a replica may not have replayed the migrations or the seed it is checking for.
  return onPrimary(() => prepare(database, config, logger));
}

async function prepare(database: Database, config: Config, logger: Logger): Promise<void> {
  if (config.autoMigrate) {
    const { applied } = await applyMigrations(database.adapterFactory, { log: (line) => logger.info(line) });
    if (applied.length) logger.info({ applied }, `applied ${applied.length} migration(s)`);
  } else {
    const pending = await pendingMigrations(database.prisma, defaultMigrationsDir);
    if (pending.length) throw new Error(unmigratedMessage(pending));
  }
  if (config.seedIfEmpty && (await database.prisma.organization.count()) === 0) await seedEmpty(database, config, logger);
}

function unmigratedMessage(pending: string[]): string {
  const shown = pending.length > 3 ? [...pending.slice(0, 3), `… ${pending.length - 3} more`] : pending;
  return (
    `the database lacks ${pending.length} migration(s) (${shown.join(', ')}). ` +
    'Apply them with `npm run db:migrate` (same DATABASE_URL), or start with AUTO_MIGRATE=true.'
  );
}

async function seedEmpty(database: Database, config: Config, logger: Logger): Promise<void> {
  const demoPasswords = demoPasswordsFor(config.nodeEnv, config.seedDemo);
  if (!demoPasswords) {
    logger.warn(`empty database left empty: ${seedRefusal()}`);
    return;
  }
  logger.info({ scale: config.seedScale, demoPasswords }, 'empty database: seeding demo data');
  const { demoAccounts, ...summary } = await seedDatabase(database.prisma, {
    scale: config.seedScale,
    demoPasswords,
    onProgress: ({ table, done, total }) => {
      if (done === total) logger.info(`seeded ${table}: ${total}`);
    },
  });
  logger.info({ summary }, 'seeded demo data');
  // In the message, not in fields: shown once, where an operator reads it, and out of reach of the
  // logger's redaction of *.password.
  if (demoAccounts) {
    logger.warn(`demo accounts seeded with random passwords, shown only this once:\n${seededAccountLines(demoAccounts).join('\n')}`);
  }
}
