// Makes a database ready to serve: applies pending migrations and, when it holds no data yet, seeds it.
// The embedded default does both on every start (cheap when nothing is pending), so `npm start` on a
// fresh clone just works and a second start keeps the data.
import { applyMigrations } from '../../prisma/migrations.ts';
import { seedDatabase } from '../../prisma/seed/seed-database.ts';
import type { Config } from './config.ts';
import type { Database } from './database.ts';
import type { Logger } from './logger.ts';

export async function prepareDatabase(database: Database, config: Config, logger: Logger): Promise<void> {
  if (config.autoMigrate) {
    const { applied } = await applyMigrations(database.adapterFactory, { log: (line) => logger.info(line) });
    if (applied.length) logger.info({ applied }, `applied ${applied.length} migration(s)`);
  }
  if (config.seedIfEmpty && (await database.prisma.organization.count()) === 0) {
    logger.info({ scale: config.seedScale }, 'empty database: seeding demo data');
    const summary = await seedDatabase(database.prisma, {
      scale: config.seedScale,
      onProgress: ({ table, done, total }) => {
        if (done === total) logger.info(`seeded ${table}: ${total}`);
      },
    });
    logger.info({ summary }, 'seeded demo data');
  }
}
