// Which statements a replica may run. Prisma sends writes with RETURNING (INSERT … RETURNING, UPDATE …
// RETURNING) through queryRaw, like reads, so the adapter method says nothing: the text does. A
// statement is a read when it starts with SELECT or WITH and names no writing keyword, lock or
// sequence call. Arguments are never in the text, so user data cannot make a read look like a write;
// a false alarm (a column named like a keyword) only costs a read on the primary, never a write on a replica.
const STARTS_AS_READ = /^\s*(\(\s*)*(SELECT|WITH)\b/i;
const WRITES =
  /\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|COPY|LOCK|NEXTVAL|SETVAL|PG_ADVISORY\w*|PG_TRY_ADVISORY\w*|SET_CONFIG)\b|\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b|\bFOR\s+KEY\s+SHARE\b/i;

export function isReadOnly(sql: string): boolean {
  return STARTS_AS_READ.test(sql) && !WRITES.test(sql);
}

/** Statements that end or mark a transaction, which write nothing of their own. */
export function isTransactionControl(sql: string): boolean {
  return /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|SET\s+TRANSACTION)\b/i.test(sql);
}
