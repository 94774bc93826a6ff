// What the seed checks and changes about the database as a whole, around the rows it inserts: that it
// is migrated, that it is empty (or emptied on request), and that its id sequences follow the seeded ids.
import type { PrismaClient } from '../generated/client.ts';
import type { Tx } from './bulk-insert.ts';
import { SeedError } from './seed-error.ts';

const TABLES = ['Organization', 'User', 'ApiToken', 'Ticket', 'Comment', 'Tag', 'TicketTag'] as const;
/** Tables with an autoincrement id whose sequence must be moved past the explicit ids. */
const SEQUENCED = ['Organization', 'User', 'ApiToken', 'Ticket', 'Comment', 'Tag'] as const;

export async function assertMigrated(prisma: PrismaClient): Promise<void> {
  const columns = TABLES.map((t) => `to_regclass('"${t}"')::text AS "${t}"`).join(', ');
  const [row] = await prisma.$queryRawUnsafe<Record<string, string | null>[]>(`SELECT ${columns}`);
  const missing = TABLES.filter((t) => !row?.[t]);
  if (missing.length > 0) {
    throw new SeedError(
      `The database is not migrated: table${missing.length === 1 ? '' : 's'} ${missing.map((t) => `"${t}"`).join(', ')} ` +
        `${missing.length === 1 ? 'does' : 'do'} not exist. Run \`npm run db:migrate\` first, then seed again.`,
    );
  }
}

export async function emptyAllTables(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`TRUNCATE ${TABLES.map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

export async function refuseIfNotEmpty(tx: Tx): Promise<void> {
  const existing = await tx.organization.count();
  if (existing > 0) {
    throw new SeedError(
      `The database already has ${existing} organization${existing === 1 ? '' : 's'}; the seed only fills an empty database. ` +
        'Pass reset to delete all deskgraph data first (npm run db:seed -- --reset).',
    );
  }
}

export async function moveSequencesPastIds(tx: Tx): Promise<void> {
  for (const table of SEQUENCED) {
    await tx.$executeRawUnsafe(
      `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), COALESCE(MAX("id"), 0) + 1, false) FROM "${table}"`,
    );
  }
}
