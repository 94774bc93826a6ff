// `npm run operations -- push | list | remove`: the trusted-document registry of third-party clients
// (README: "Trusted documents for other clients"). It works on the database the server uses, with the
// server's environment: DATABASE_URL (else the embedded PGlite under DATA_DIR), REDIS_URL and
// CACHE_KEY_PREFIX to tell running instances, the MAX_* limits documents are checked against. What it
// does is in server/persisted/registry/registry-commands.ts; this file reads arguments and prints.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../server/platform/config.ts';
import type { Database } from '../server/platform/database.ts';
import { databaseFailure, PushRejected, RegistryError } from '../server/persisted/registry/registry-errors.ts';
import type { Announcement, RegistryTarget } from '../server/persisted/registry/registry-commands.ts';

// The schema, the drivers and Redis load once the arguments are known to be usable, so a usage mistake
// is answered at once.
const load = () =>
  Promise.all([
    import('../schema/index.ts'),
    import('../server/persisted/registry/registry-commands.ts'),
    import('../server/persisted/registry/registry-notice.ts'),
  ]);

const USAGE = `Usage: npm run operations -- <command> [options]

  push --client NAME FILE    check every document in FILE, then register all of them for NAME (or,
                             if any is wrong, none). FILE: GraphQL Code Generator's
                             persisted-documents.json or Apollo's persisted query list.
  list [--client NAME]       the registered clients, or the documents of one.
  remove --client NAME (--hash HASH | --all)
                             drop one document of NAME, or all of them.
  --help                     show this help.

NAME is what the client sends in its graphql-client-name header. The command uses the server's
environment: DATABASE_URL (else the embedded database under DATA_DIR, while no server has it open),
REDIS_URL and CACHE_KEY_PREFIX to tell running instances, and the MAX_* limits documents must pass.
Exit status: 0 done, 1 refused or failed (nothing changed), 2 a usage or configuration error.`;

class UsageError extends Error {}

type Command =
  | { kind: 'help' }
  | { kind: 'push'; client: string; file: string }
  | { kind: 'list'; client?: string }
  | { kind: 'remove'; client: string; which: { hash: string } | 'all' };

function parse(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { client: { type: 'string' }, hash: { type: 'string' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help') return { kind: 'help' };
  const extra = (allowed: number) => {
    if (rest.length > allowed) throw new UsageError(`Unexpected argument "${rest[allowed]}".`);
  };
  const needClient = () => {
    if (!values.client) throw new UsageError(`${command} needs --client NAME.`);
    return values.client;
  };
  const onlyFor = (option: 'hash' | 'all', forCommand: string) => {
    if (values[option] !== undefined && command !== forCommand) throw new UsageError(`--${option} is an option of ${forCommand} only.`);
  };
  onlyFor('hash', 'remove');
  onlyFor('all', 'remove');
  switch (command) {
    case 'push': {
      const client = needClient();
      if (!rest[0]) throw new UsageError('push needs the manifest FILE, as in push --client my-app persisted-documents.json.');
      extra(1);
      return { kind: 'push', client, file: rest[0] };
    }
    case 'list':
      extra(0);
      return { kind: 'list', ...(values.client ? { client: values.client } : {}) };
    case 'remove': {
      const client = needClient();
      extra(0);
      if ((values.hash === undefined) === (values.all !== true)) throw new UsageError('remove needs either --hash HASH or --all.');
      return { kind: 'remove', client, which: values.all ? 'all' : { hash: values.hash! } };
    }
    case undefined:
      throw new UsageError('Name a command: push, list or remove.');
    default:
      throw new UsageError(`Unknown command "${command}": the commands are push, list and remove.`);
  }
}

// The CLI needs no manifest of its own: with PERSISTED_OPERATIONS off, loadConfig does not ask for one.
function readConfig(): Config {
  try {
    return loadConfig({ ...process.env, PERSISTED_OPERATIONS: 'off' });
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

const shown = (file: string) => (path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file));

/** The embedded PGlite serves one process: opening its directory while a server has it would corrupt it. */
async function openRegistryDatabase(config: Config): Promise<Database> {
  const { database } = config;
  if (database.kind === 'embedded' && database.dataDir) {
    const dir = shown(database.dataDir);
    if (!existsSync(database.dataDir)) {
      throw new RegistryError(`There is no embedded database in ${dir} yet: start the server once (it creates it), or set DATABASE_URL.`);
    }
    const pid = path.join(database.dataDir, 'postmaster.pid');
    if (existsSync(pid)) {
      throw new RegistryError(
        `The embedded database in ${dir} is open in a running deskgraph, and PGlite serves one process at a time. ` +
          `Stop the server, run this again, then start it: it reads the registry at start. ` +
          `(If no server is running, the last one did not stop cleanly: delete ${shown(pid)}.)`,
      );
    }
  }
  const { openDatabase } = await import('../server/platform/database.ts');
  return openDatabase(database);
}

const number = new Intl.NumberFormat('en-US');

/** Progress on stderr for big manifests: a line rewritten in place on a terminal, a line every 5 s elsewhere. */
function progress(label: string): (p: { done: number; total: number }) => void {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return ({ done, total }) => {
    if (total < 1000) return;
    const line = `${label} ${number.format(done)}/${number.format(total)}`;
    if (tty) process.stderr.write(`\r\x1b[K${line}${done === total ? '\n' : ''}`);
    else if (done === total || Date.now() - last >= 5000) {
      process.stderr.write(`${line}\n`);
      last = Date.now();
    }
  };
}

function describeAnnouncement(announcement: Announcement, config: Config): string {
  const refresh = config.persisted.registryRefreshMs / 1000;
  const later = refresh > 0 ? `within ${refresh} s (PERSISTED_OPERATIONS_REGISTRY_REFRESH_SECONDS)` : 'when they restart';
  if ('instances' in announcement) {
    return announcement.instances > 0
      ? `${announcement.instances} running instance(s) told on Redis; they reread the registry now.`
      : `No running instance is listening on Redis (prefix ${config.cache.keyPrefix}); each reads the registry when it starts.`;
  }
  if ('failed' in announcement)
    return `Warning: could not tell running instances on Redis (${announcement.failed}); they see the change ${later}.`;
  return `No REDIS_URL: a running instance sees the change ${later}.`;
}

type Modules = Awaited<ReturnType<typeof load>>;

/** Runs fn on the registry's database, and closes it. */
async function withDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openRegistryDatabase(config);
  try {
    return await fn(database);
  } finally {
    await database.close().catch(() => {});
  }
}

function target(database: Database, config: Config, [, , { announceChange }]: Modules): RegistryTarget {
  const { redis, keyPrefix, redisTimeoutMs } = config.cache;
  return {
    prisma: database.prisma,
    announce: redis ? (client) => announceChange({ redis, keyPrefix, timeoutMs: redisTimeoutMs }, client) : null,
  };
}

// Checked first, without the database: a refused manifest needs none, and a stopped server is not waited for.
async function push(command: Extract<Command, { kind: 'push' }>, config: Config, modules: Modules): Promise<void> {
  const [{ schema }, { checkPush, registerPush }] = modules;
  const check = { schema, limits: config.limits, maxPageSize: config.maxPageSize, onProgress: progress('checked') };
  const checked = await checkPush({ client: command.client, file: command.file, check });
  const format = checked.format === 'apollo' ? "Apollo's persisted query list" : "GraphQL Code Generator's persisted documents";
  console.log(
    `Checked ${number.format(checked.entries)} document(s) of ${shown(command.file)} (${format}) against the schema and the limits.`,
  );
  const report = await withDatabase(config, (database) => registerPush(target(database, config, modules), checked, progress('stored')));
  console.log(
    `Registered for "${report.client}": ${number.format(report.added)} new, ${number.format(report.existing)} already registered; ` +
      `${number.format(report.total)} in all (revision ${report.revision}).`,
  );
  console.log(describeAnnouncement(report.announcement, config));
}

async function remove(command: Extract<Command, { kind: 'remove' }>, config: Config, modules: Modules): Promise<void> {
  const { removeFromRegistry } = modules[1];
  const { removed, announcement } = await withDatabase(config, (database) =>
    removeFromRegistry(target(database, config, modules), command.client, command.which),
  );
  console.log(`Removed ${number.format(removed)} document(s) of "${command.client}".`);
  console.log(describeAnnouncement(announcement, config));
}

async function list(command: Extract<Command, { kind: 'list' }>, config: Config, modules: Modules): Promise<void> {
  const listed = await withDatabase(config, (database) => modules[1].listRegistry(database.prisma, command.client));
  if ('clients' in listed) {
    if (listed.clients.length === 0) console.log('No client is registered.');
    for (const c of listed.clients) {
      console.log(`${c.name}  ${number.format(c.documents)} document(s)  revision ${c.revision}  updated ${c.updatedAt.toISOString()}`);
    }
  } else {
    if (listed.documents.length === 0) console.log(`"${listed.client}" has no registered documents.`);
    for (const d of listed.documents) console.log(`sha256:${d.hash}  ${d.operationName ?? '(unnamed)'}  ${d.createdAt.toISOString()}`);
  }
}

async function main(): Promise<number> {
  const command = parse(process.argv.slice(2));
  if (command.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = readConfig();
  const modules = await load();
  if (command.kind === 'push') await push(command, config, modules);
  else if (command.kind === 'remove') await remove(command, config, modules);
  else await list(command, config, modules);
  return 0;
}

// Exits explicitly, so nothing a driver leaves behind can keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`operations: ${error.message}\nRun \`npm run operations -- --help\` for the commands and their options.`);
      process.exit(2);
    }
    if (error instanceof PushRejected) {
      console.error(`${error.message}\n${error.problems.map((p) => `  - ${p.document}: ${p.message}`).join('\n')}`);
    } else {
      console.error(error instanceof RegistryError ? `operations: ${error.message}` : `operations failed: ${databaseFailure(error)}`);
    }
    process.exit(1);
  },
);
