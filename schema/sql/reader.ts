// Reads that skip Prisma's query engine. For the hot loaders (rows by id, children by parent) Prisma's
// client spends 3× the CPU of the driver itself on a statement (building and interpreting the query plan,
// nesting arguments, mapping rows), so they send fixed SQL through the same driver adapter instead:
// still counted per request (server/platform/sql-statements.ts) and routed to replicas
// (server/platform/replicas/), because the adapter does both. openDatabase attaches the reader to the
// PrismaClient it creates; schema/ needs nothing else from the server.
import type { ArgType } from '@prisma/driver-adapter-utils';
import type { PrismaClient } from '../../prisma/generated/client.ts';

export type { ArgType };

export interface SqlReader {
  /**
   * Runs one read-only statement with $1… placeholders; its rows come back as arrays in column order,
   * values as the driver adapter gives them: timestamps as ISO-8601 text, enums as text, int4 as numbers.
   */
  rows(sql: string, args: unknown[], argTypes: ArgType[]): Promise<unknown[][]>;
}

const readers = new WeakMap<PrismaClient, SqlReader>();

/** Called by whoever creates the PrismaClient (server/platform/database.ts). */
export function attachSqlReader(prisma: PrismaClient, reader: SqlReader): void {
  readers.set(prisma, reader);
}

/** The reader over this client's driver adapter. */
export function sqlReaderOf(prisma: PrismaClient): SqlReader {
  const reader = readers.get(prisma);
  if (!reader) throw new Error('This PrismaClient has no SQL reader: open the database with openDatabase (server/platform/database.ts).');
  return reader;
}
