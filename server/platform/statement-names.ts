// Names for the SQL reader's statements (schema/sql/reader.ts), so that node-postgres prepares each text
// once per connection and PostgreSQL keeps its plan: a ticket page read with its relations takes longer
// to plan (3 ms) than to run. Only the reader's statements are named: their texts are built from code, a
// few hundred at most, while Prisma's vary with their arguments and would pile up prepared statements
// on every connection.
import { createHash } from 'node:crypto';

const readerQueries = new WeakSet<object>();
const names = new Map<string, string>();

/** Marks a query of the SQL reader: it runs as a named, prepared statement when names are on. */
export function readerQuery<Q extends object>(query: Q): Q {
  readerQueries.add(query);
  return query;
}

/** The driver adapter's statementNameGenerator: a name for the reader's queries, none for the others. */
export function statementName(query: { sql: string }): string {
  if (!readerQueries.has(query)) return undefined as unknown as string;
  let name = names.get(query.sql);
  if (name === undefined) {
    name = `dg_${createHash('sha1').update(query.sql).digest('hex').slice(0, 24)}`;
    names.set(query.sql, name);
  }
  return name;
}
