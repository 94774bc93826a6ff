// Counts the SQL statements each GraphQL operation sends to the database. The count is taken at the
// driver adapter, below Prisma, so nothing Prisma does (batching, nested reads, transactions) escapes it.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, SqlQuery, Transaction } from '@prisma/driver-adapter-utils';

/**
 * A request's database state, kept for its whole async context: how many statements it sent, and where
 * its reads may go when read replicas are configured (server/platform/replicas/; untouched otherwise).
 */
export interface StatementTally {
  count: number;
  /** Every statement goes to the primary: the request is a mutation, or a tool that must see the primary. */
  primary?: boolean;
  /** The lowest WAL position (LSN) a replica must have replayed to serve this request (requireLsn). */
  lsnFloor?: bigint;
  /** The LSN of this request's last committed write (requestWriteLsn). */
  writeLsn?: bigint;
  /** Where this request's reads went so far: it keeps reading there, so its reads never go back in time. */
  readFrom?: number | 'primary';
}

const current = new AsyncLocalStorage<StatementTally>();

/** The state of the request whose async context this is; undefined outside any (start-up, timers, live re-executions). */
export function currentTally(): StatementTally | undefined {
  return current.getStore();
}

// Every statement this process sent, whatever asked for it (requests, warming, start-up): what
// deskgraph_sql_statements_total reports, and what tests read to show a refused request sent none.
let processTotal = 0;

/** Statements sent by this process since it started. */
export function statementsSent(): number {
  return processTotal;
}

// While an AsyncLocalStorage is on, every promise and async resource of the process pays a hook that
// copies the store (Node 20), cache hits included, which send no SQL and need no tally. So it is on only
// while a tally is open, and turned off (storage.disable()) when the last one closes: hits served while
// nothing executes pay nothing. run() turns it on again. A context is closed only once nothing of its
// request can still run (see withStatementTally's `openUntil`): work that began in it keeps its store
// only while the storage is on.
let openTallies = 0;

function closeTally(): void {
  openTallies -= 1;
  if (openTallies === 0) current.disable();
}

/** Tallies open now (contexts whose work may still run): for tests. */
export function openTallyCount(): number {
  return openTallies;
}

/**
 * Runs fn with a fresh tally; every statement sent from its async context is added to it. The context
 * stays open until fn's result settles, and also until `openUntil` settles when given (a response may
 * stream after fn returned: yoga pipes a Node stream without waiting for it).
 */
export function withStatementTally<T>(tally: StatementTally, fn: () => T, openUntil?: Promise<unknown>): T {
  openTallies += 1;
  let waiting = openUntil ? 2 : 1;
  const settled = () => {
    waiting -= 1;
    if (waiting === 0) closeTally();
  };
  openUntil?.then(settled, settled);
  let result: T;
  try {
    result = current.run(tally, fn);
  } catch (error) {
    settled();
    throw error;
  }
  if (result instanceof Promise) result.then(settled, settled);
  else settled();
  return result;
}

function record(): void {
  processTotal += 1;
  const tally = current.getStore();
  if (tally) tally.count += 1;
}

function countQueryable<T extends SqlDriverAdapter | Transaction>(target: T, onDispose?: () => void): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop === 'dispose' && onDispose) {
        return () => {
          onDispose();
          return (obj as SqlDriverAdapter).dispose();
        };
      }
      if (prop === 'queryRaw' || prop === 'executeRaw') {
        return (query: SqlQuery) => {
          record();
          return obj[prop](query);
        };
      }
      if (prop === 'startTransaction') {
        return async (...args: Parameters<SqlDriverAdapter['startTransaction']>) =>
          countQueryable(await (obj as SqlDriverAdapter).startTransaction(...args));
      }
      const value = Reflect.get(obj, prop, receiver);
      return typeof value === 'function' ? value.bind(obj) : value;
    },
  });
}

export interface CountingAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /**
   * The counted adapter the PrismaClient connected through; null before it connects and after it
   * disconnects. Reads that skip Prisma's query engine (schema/sql/reader.ts, over adapter-reader.ts) go through it, so
   * they are counted, and routed to replicas, exactly as Prisma's own statements.
   */
  connected(): SqlDriverAdapter | null;
}

/** Wraps a driver adapter factory so that every query it runs is counted. */
export function countingAdapterFactory(factory: SqlMigrationAwareDriverAdapterFactory): CountingAdapterFactory {
  let connected: SqlDriverAdapter | null = null;
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter: SqlDriverAdapter = countQueryable(await factory.connect(), () => {
        if (connected === adapter) connected = null;
      });
      connected = adapter;
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
    connected: () => connected,
  };
}
