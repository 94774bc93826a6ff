import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

/**
 * The engine's connection. On PostgreSQL the engine takes a session advisory lock and never releases
 * it (the binary relies on closing its connection), so on a shared pool the lock would stay with an
 * idle connection and every other process's migrations would time out waiting for it. The engine
 * gets a one-connection pool of its own instead, closed afterwards. PGlite has only one session.
 */
export async function ownConnection(
  factory: SqlMigrationAwareDriverAdapterFactory,
): Promise<{ factory: SqlMigrationAwareDriverAdapterFactory; close(): Promise<void> }> {
  const probe = await factory.connect();
  const driver = (probe as { underlyingDriver?: () => unknown }).underlyingDriver?.();
  const schema = probe.getConnectionInfo?.().schemaName;
  await probe.dispose();
  if (!(driver instanceof pg.Pool)) return { factory, close: async () => {} };
  const pool = new pg.Pool({ ...driver.options, max: 1 });
  // A dropped idle connection must not crash the process; the next query reports it.
  pool.on('error', () => {});
  return { factory: new PrismaPg(pool, schema ? { schema } : undefined), close: () => releaseAndEnd(pool) };
}

/**
 * Ending the pool only closes the socket: the server drops the session's locks when its backend
 * exits, a moment later (seen under load as a lock still held right after applyMigrations returned).
 * Unlocking first makes the lock gone when close() resolves.
 */
async function releaseAndEnd(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT pg_advisory_unlock_all()').catch(() => {});
  await pool.end();
}
