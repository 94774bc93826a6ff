// A Prisma driver adapter over the primary's and the replicas' adapters: reads outside transactions go
// where the router says (a replica that is fresh enough, else the primary); every other statement,
// every transaction, and everything of a request pinned to the primary (a mutation) goes to the
// primary. After each write commits, the primary's WAL position is read and recorded (read-floor.ts),
// so that no later read of this process, nor of anyone given that LSN, is served by a replica without it.
// That extra statement goes straight to the primary's adapter, under the statement counter
// (sql-statements.ts wraps this adapter): a request's sqlStatements count only what Prisma sent.
import {
  isDriverAdapterError,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from '@prisma/driver-adapter-utils';
import type { LsnPoller } from './lsn-poller.ts';
import { lsnFromPg } from './lsn.ts';
import { recordUnknownWrite, recordWrite } from './read-floor.ts';
import { isReadOnly, isTransactionControl } from './read-only-sql.ts';
import type { ReadRouter } from './read-router.ts';

const CURRENT_LSN: SqlQuery = { sql: 'SELECT pg_current_wal_lsn()::text', args: [], argTypes: [] };

export interface RoutingParts {
  primary: SqlMigrationAwareDriverAdapterFactory;
  replicas: SqlMigrationAwareDriverAdapterFactory[];
  router: ReadRouter;
  poller: LsnPoller;
}

export function routingAdapterFactory(parts: RoutingParts): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: parts.primary.provider,
    adapterName: parts.primary.adapterName,
    connect: async () =>
      new RoutingAdapter(await parts.primary.connect(), await Promise.all(parts.replicas.map((r) => r.connect())), parts),
    // Migrations use the primary's own factory (Database.adapterFactory); this is there for the interface.
    connectToShadowDb: () => parts.primary.connectToShadowDb(),
  };
}

class RoutingAdapter implements SqlDriverAdapter {
  readonly provider: SqlDriverAdapter['provider'];
  readonly adapterName: string;

  constructor(
    private readonly primary: SqlDriverAdapter,
    private readonly replicas: SqlDriverAdapter[],
    private readonly parts: RoutingParts,
  ) {
    this.provider = primary.provider;
    this.adapterName = primary.adapterName;
  }

  async queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    if (!isReadOnly(query.sql)) return afterWrite(this.primary, await this.primary.queryRaw(query));
    const target = this.parts.router.route();
    if (target === 'primary') return this.primary.queryRaw(query);
    try {
      return await this.replicas[target]!.queryRaw(query);
    } catch (error) {
      // Reads can be repeated: the primary answers instead (a statement the primary also refuses fails there, as it would have).
      if (!answeredByServer(error)) this.parts.poller.connectionFailed(target, error);
      this.parts.router.retried();
      return this.primary.queryRaw(query);
    }
  }

  async executeRaw(query: SqlQuery): Promise<number> {
    return afterWrite(this.primary, await this.primary.executeRaw(query));
  }

  async executeScript(script: string): Promise<void> {
    await this.primary.executeScript(script);
    await afterWrite(this.primary, undefined);
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    return lsnRecordingTransaction(await this.primary.startTransaction(isolationLevel), this.primary);
  }

  getConnectionInfo() {
    return this.primary.getConnectionInfo?.() ?? { supportsRelationJoins: false };
  }

  async dispose(): Promise<void> {
    await Promise.all([this.primary.dispose(), ...this.replicas.map((replica) => replica.dispose())]);
  }
}

/** Records the primary's WAL position once a write is committed, then hands back the write's result. */
async function afterWrite<T>(primary: SqlDriverAdapter, result: T): Promise<T> {
  try {
    const { rows } = await primary.queryRaw(CURRENT_LSN);
    recordWrite(lsnFromPg(String(rows[0]![0])));
  } catch {
    // The write is committed: failing the request would lie. Reads go to the primary until a later position is known.
    recordUnknownWrite();
  }
  return result;
}

/** A transaction on the primary that records the WAL position after it commits, when it wrote anything. */
function lsnRecordingTransaction(tx: Transaction, primary: SqlDriverAdapter): Transaction {
  let wrote = false;
  return new Proxy(tx, {
    get(target, prop, receiver) {
      if (prop === 'queryRaw') {
        return (query: SqlQuery) => {
          if (!isReadOnly(query.sql)) wrote = true;
          return target.queryRaw(query);
        };
      }
      if (prop === 'executeRaw') {
        return (query: SqlQuery) => {
          if (!isTransactionControl(query.sql)) wrote = true;
          return target.executeRaw(query);
        };
      }
      if (prop === 'commit') {
        // Prisma sends COMMIT itself, then calls commit() to release the connection: the write is durable here.
        return async () => {
          await target.commit();
          if (wrote) await afterWrite(primary, undefined);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The replica answered with an SQL error (a conflict with recovery, a relation it has not replayed yet): it is alive. */
function answeredByServer(error: unknown): boolean {
  if (!isDriverAdapterError(error)) return false;
  const code = 'originalCode' in error.cause ? error.cause.originalCode : undefined;
  // Class 08: connection exceptions; 57P: shut down, starting up, cannot connect now.
  return typeof code === 'string' && !code.startsWith('08') && !code.startsWith('57P');
}
