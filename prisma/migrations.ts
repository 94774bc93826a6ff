// Prisma Migrate without the schema-engine binary (it cannot be downloaded on our machines): the same
// engine, compiled to WebAssembly, talks to the database through a Prisma driver adapter. Migrations keep
// Prisma's layout (prisma/migrations/<timestamp>_<name>/migration.sql) and the engine itself records them
// in _prisma_migrations, so `prisma migrate deploy` stays interchangeable with this wherever it runs.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type ErrorRegistry,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import * as runtime from '@prisma/schema-engine-wasm/schema_engine_bg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

const prismaDir = path.dirname(fileURLToPath(import.meta.url));
export const defaultMigrationsDir = path.join(prismaDir, 'migrations');
export const defaultSchemaPath = path.join(prismaDir, 'schema.prisma');

/** Tables and enums the engine must leave alone (prisma.config.ts `tables.external`); we have none. */
const filters: SchemaFilter = { externalTables: [], externalEnums: [] };

export interface MigrateOptions {
  /** Defaults to prisma/migrations. */
  migrationsDir?: string;
  /** Receives the engine's progress messages ("Applying `20250101000000_init`"), one line each. */
  log?: (line: string) => void;
}

export interface DiffOptions extends MigrateOptions {
  /** Defaults to prisma/schema.prisma. */
  schemaPath?: string;
  /** An empty PGlite to replay the migrations into, left open; by default a new in-memory one. */
  scratch?: PGlite;
}

/** A failure worded for a terminal: the migration concerned and the database's own message. */
export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    message: string,
    /** Prisma's error code (P3005, P3009, ...), when the engine gave one. */
    readonly code?: string,
    /** The migration that failed, when one did. */
    readonly migration?: string,
  ) {
    super(message);
  }
}

/**
 * Applies the migrations the database has not recorded yet, in order, as `prisma migrate deploy` does;
 * with nothing pending it applies nothing. Throws MigrationError.
 */
export async function applyMigrations(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  { migrationsDir = defaultMigrationsDir, log }: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const migrationsList = await readMigrations(migrationsDir);
  const target = await ownConnection(adapterFactory);
  try {
    const { appliedMigrationNames } = await withEngine(target.factory, log, (engine) =>
      engine.applyMigrations({ migrationsList, filters }),
    );
    return { applied: appliedMigrationNames };
  } finally {
    await target.close();
  }
}

/**
 * The SQL that would take a database built by the migrations to schema.prisma, or '' when they agree.
 * The migrations are replayed into a throwaway in-memory PGlite, which needs no server and, unlike a
 * diff from an empty schema, leaves out what every database already has (`CREATE SCHEMA "public"`).
 */
export async function diffSchemaAgainstMigrations({
  migrationsDir = defaultMigrationsDir,
  schemaPath = defaultSchemaPath,
  log,
  scratch: given,
}: DiffOptions = {}): Promise<string> {
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const scratch = given ?? new PGlite();
  try {
    const factory = new PrismaPGlite(scratch);
    await applyMigrations(factory, { migrationsDir, log });
    const { stdout } = await withEngine(factory, log, (engine) =>
      engine.diff({
        from: { tag: 'schemaDatasource', files: [schema], configDir: path.dirname(schemaPath) },
        to: { tag: 'schemaDatamodel', files: [schema] },
        script: true,
        exitCode: null,
        filters,
      }),
    );
    // No difference still comes back as a script: "-- This is an empty migration."
    const sql = (stdout ?? '').trim();
    const onlyComments = sql.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('--'));
    return onlyComments ? '' : `${sql}\n`;
  } finally {
    if (!given) await scratch.close();
  }
}

/** The migrations directory as the Prisma CLI hands it to the engine: same order, same lockfile. */
async function readMigrations(migrationsDir: string): Promise<MigrationList> {
  const lockfile = 'migration_lock.toml';
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  return {
    baseDir: migrationsDir,
    lockfile: { path: lockfile, content: await readFile(path.join(migrationsDir, lockfile), 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          // A directory without a readable script is the engine's to report, with its name.
          content: await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

// ---- the engine --------------------------------------------------------------------------------

declare global {
  // Where the engine's Rust panic hook leaves its message. @prisma/client installs its own, without get().
  var PRISMA_WASM_PANIC_REGISTRY: { get?(): string; set_message(message: string): void } | undefined;
}

// The engine arms timers (10 s, around its advisory lock) that it never clears, which would keep a
// finished script alive; they are cleared as soon as no engine is open.
const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let openEngines = 0;

// The wasm runtime module is shared by the whole process, but this module may be loaded more than
// once (vitest gives each test project its own module graph). So the loaded instance and the turn
// lock live on globalThis, beside the runtime they guard.
interface EngineState {
  loading?: Promise<void>;
  turn: Promise<unknown>;
}
const shared = ((globalThis as { __deskgraphSchemaEngine?: EngineState }).__deskgraphSchemaEngine ??= {
  turn: Promise.resolve(),
});

function loadEngine(): Promise<void> {
  shared.loading ??= (async () => {
    let panic = '';
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= { get: () => panic, set_message: (message) => (panic = message) };
    const imports: Record<string, unknown> = { ...runtime };
    for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
      imports[name] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          engineTimers.delete(timer);
          callback();
        }, ms >>> 0);
        engineTimers.add(timer);
        return timer;
      };
    }
    // The package's own entry point imports the .wasm as an ES module, which Node does not load.
    const jsPath = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const { instance } = await WebAssembly.instantiate(await readFile(jsPath.replace(/\.js$/, '.wasm')), {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    (runtime as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return shared.loading;
}

// One wasm instance serves the whole process, and two engines driving it at once corrupt its memory
// (seen as invalid UTF-8 from the engine when two test projects migrated in parallel): take turns.

function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: ((line: string) => void) | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const mine = shared.turn.then(() => withEngineNow(adapterFactory, log, run));
  shared.turn = mine.catch(() => undefined);
  return mine;
}

async function withEngineNow<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: ((line: string) => void) | undefined,
  run: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadEngine();
  const scripts: ScriptErrors = {};
  const bound = bindMigrationAwareSqlAdapterFactory(wholeScripts(adapterFactory, scripts));
  let engine: SchemaEngine | undefined;
  openEngines += 1;
  try {
    engine = await runtime.SchemaEngine.new({ datamodels: undefined }, (line: string) => forwardLog(line, log), bound);
    return await run(engine);
  } catch (error) {
    throw readableError(error, bound.errorRegistry, scripts.last);
  } finally {
    try {
      engine?.free();
    } catch {
      // After a panic the engine cannot be freed ("Rust value ... borrowed"); the panic is what matters.
    }
    openEngines -= 1;
    if (openEngines === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
  }
}

function forwardLog(line: string, log: ((line: string) => void) | undefined): void {
  if (!log) return;
  try {
    const { level, fields } = JSON.parse(line) as { level?: string; fields?: { message?: string } };
    if (fields?.message && level !== 'DEBUG' && level !== 'TRACE') log(fields.message);
  } catch {
    if (line.trim()) log(line.trim());
  }
}

/**
 * The engine's connection. On PostgreSQL the engine takes a session advisory lock and never releases
 * it (the binary relies on closing its connection), so on a shared pool the lock would stay with an
 * idle connection and every other process's migrations would time out waiting for it. The engine
 * gets a one-connection pool of its own instead, closed afterwards. PGlite has only one session.
 */
async function ownConnection(
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
  return { factory: new PrismaPg(pool, schema ? { schema } : undefined), close: () => pool.end() };
}

// ---- running a migration script -------------------------------------------------------------------

interface DatabaseError {
  code: string;
  severity: string;
  message: string;
  detail?: string;
  hint?: string;
}
interface ScriptErrors {
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
function wholeScripts(factory: SqlMigrationAwareDriverAdapterFactory, errors: ScriptErrors): SqlMigrationAwareDriverAdapterFactory {
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

// ---- errors -----------------------------------------------------------------------------------------

/**
 * The engine's errors carry a Rust span trace ("   0: sql_schema_connector::..."), replace the
 * database's message by a paraphrase ("No such table: Nope"), and refer to errors thrown in JS by a
 * registry id; panics arrive as "RuntimeError: unreachable". Keep the message, the code and the
 * migration's name, with the database's own words where we have them.
 */
function readableError(error: unknown, registry: ErrorRegistry, scriptError: DatabaseError | undefined): Error {
  if (!(error instanceof Error)) return new MigrationError(`The schema engine failed: ${String(error)}`);
  // With @prisma/client loaded, its registry turns the panic into a PrismaClientRustPanicError.
  if (error.name === 'RuntimeError' || error.name.includes('Panic')) {
    const panic = globalThis.PRISMA_WASM_PANIC_REGISTRY?.get?.() || error.message;
    return new MigrationError(`The schema engine crashed: ${panic}`);
  }
  const { code } = error as { code?: unknown };
  const migration = /migration_name="([^"]+)"/.exec(error.message)?.[1];
  // P3009 names an earlier run's failure in its text: "The `20250101000000_x` migration started at ..."
  const failedEarlier = code === 'P3009' ? /The `([^`]+)` migration/.exec(error.message)?.[1] : undefined;
  let message = error.message
    .split(/\n\s*0: /)[0]!
    .replace(/^external connector error\n/, '')
    .trim();
  const jsErrorId = /External error id#(\d+)/.exec(error.message)?.[1];
  const jsError = jsErrorId === undefined ? undefined : registry.consumeError(Number(jsErrorId))?.error;
  if (jsError instanceof Error) message = jsError.message || String((jsError as { code?: unknown }).code ?? jsError.name);
  if (migration && scriptError) message = describeDatabaseError(scriptError);
  return new MigrationError(
    migration ? `Migration ${migration} failed: ${message}` : message,
    typeof code === 'string' ? code : undefined,
    migration ?? failedEarlier,
  );
}

function describeDatabaseError({ message, code, detail, hint }: DatabaseError): string {
  return [`${message} (SQLSTATE ${code})`, detail && `Detail: ${detail}`, hint && `Hint: ${hint}`].filter(Boolean).join('. ');
}
