// Creating and dropping whole databases on a PostgreSQL server, for the test templates and the
// benchmarks: plain pg, outside Prisma (CREATE DATABASE cannot run in a transaction).
import pg from 'pg';

/** The same server URL, naming another database. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
