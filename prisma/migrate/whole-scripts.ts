// Migration scripts run whole, as the schema-engine binary runs them, whatever the driver adapter.
import { PGlite } from '@electric-sql/pglite';
import { DriverAdapterError, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type { DatabaseError } from './errors.ts';

/** The database's own error from the last script that failed, for readableError. */
export interface ScriptErrors {
  last?: DatabaseError;
}

/**
 * The engine hands each migration to the adapter's executeScript, and neither adapter runs it as the
 * binary does (one multi-statement query, which PostgreSQL runs as one implicit transaction):
 * adapter-pg splits it at every ';' (a failure leaves the statements before it applied; a ';' inside
 * a string or a function body breaks it), and pglite-prisma-adapter 0.7.2 does not await it, so a
 * failing migration is recorded as applied and its error escapes as an unhandled rejection. Here the
 * whole script goes to the database in one simple-protocol query on both.
 */
export function wholeScripts(factory: SqlMigrationAwareDriverAdapterFactory, errors: ScriptErrors): SqlMigrationAwareDriverAdapterFactory {
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const run = simpleQuery(adapter);
    if (!run) return adapter;
    return {
      provider: adapter.provider,
      adapterName: adapter.adapterName,
      queryRaw: (query) => adapter.queryRaw(query),
      executeRaw: (query) => adapter.executeRaw(query),
      startTransaction: (isolationLevel) => adapter.startTransaction(isolationLevel),
      ...(adapter.getConnectionInfo && { getConnectionInfo: () => adapter.getConnectionInfo!() }),
      dispose: () => adapter.dispose(),
      async executeScript(script) {
        try {
          await run(script);
        } catch (error) {
          if (!isDatabaseError(error)) throw error;
          errors.last = error;
          // As the adapters report it, so the engine's entry in _prisma_migrations.logs names the cause.
          const { code, severity, message, detail, hint } = error;
          throw new DriverAdapterError({ kind: 'postgres', code, severity, message, detail, hint, column: undefined });
        }
      },
    };
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}

/** pg.Pool#query without values and PGlite#exec both send a script in the simple protocol. */
function simpleQuery(adapter: SqlDriverAdapter): ((script: string) => Promise<unknown>) | undefined {
  const driver = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.();
  if (driver instanceof pg.Pool) return (script) => driver.query(script);
  // pglite-prisma-adapter keeps its PGlite in an undeclared field; the test "a failing migration is
  // reported and not recorded as applied" fails if that changes.
  const client = (adapter as unknown as { client?: unknown }).client;
  if (client instanceof PGlite) return (script) => client.exec(script);
  return undefined;
}

function isDatabaseError(error: unknown): error is DatabaseError {
  const e = error as Partial<DatabaseError> | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
}
