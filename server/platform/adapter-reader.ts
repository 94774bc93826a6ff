// The SQL reader of schema/sql/reader.ts over the counted driver adapter the PrismaClient connected through.
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { SqlReader } from '../../schema/sql/reader.ts';
import type { CountingAdapterFactory } from './sql-statements.ts';
import { readerQuery } from './statement-names.ts';

export function adapterSqlReader(prisma: PrismaClient, adapters: CountingAdapterFactory): SqlReader {
  // Prisma connects lazily, on its first query or $connect (which it makes idempotent): the first read
  // before any Prisma query makes it connect.
  const connect = async (): Promise<SqlDriverAdapter> => {
    await prisma.$connect();
    const adapter = adapters.connected();
    if (!adapter) throw new Error('The PrismaClient connected without its counted driver adapter.');
    return adapter;
  };
  return {
    async rows(sql, args, argTypes) {
      const adapter = adapters.connected() ?? (await connect());
      return (await adapter.queryRaw(readerQuery({ sql, args, argTypes }))).rows;
    },
  };
}
