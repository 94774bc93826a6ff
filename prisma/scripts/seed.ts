// `npm run db:seed -- [--scale N] [--seed K] [--now ISO] [--reset]`: fills the configured database (DATABASE_URL,
// else the embedded PGlite under DATA_DIR) with demo data; see prisma/seed/seed-database.ts for what
// it contains. With NODE_ENV=production it refuses unless SEED_DEMO=1, and then prints the demo
// accounts' random passwords once (prisma/seed/demo-passwords.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../server/platform/config.ts';
import { openDatabase, type Database } from '../../server/platform/database.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../seed/demo-accounts.ts';
import { demoPasswordsFor, seededAccountLines, seedRefusal, type SeededAccount } from '../seed/demo-passwords.ts';
import { plannedCounts } from '../seed/planned-counts.ts';
import type { SeedProgress, SeedTable } from '../seed/progress.ts';
import { seedDatabase } from '../seed/seed-database.ts';
import { SeedError } from '../seed/seed-error.ts';

const MAX_SCALE = 64;

const USAGE = `Usage: npm run db:seed -- [--scale N] [--seed K] [--now ISO] [--reset]

  --scale N  size, above 0 and at most ${MAX_SCALE} (default: SEED_SCALE, else 0.1).
             1 = 5 organizations, 500 users, 20,000 tickets, 100,000 comments.
  --seed K   a whole number from 0 to 4294967295 (default 1). The same scale, seed and
             --now give the same data.
  --now ISO  the seeded world's "now", e.g. 2026-03-01T12:00:00Z (default: the current
             time). Tickets span the 90 days before it.
  --reset    delete all deskgraph data first. Without it, only an empty database is seeded.
  --help     show this help.`;

class UsageError extends Error {}

/** A progress line is on screen without its newline (terminal only). */
let partialLine = false;

interface Args {
  scale: number | undefined;
  seed: number;
  now: Date | undefined;
  reset: boolean;
  help: boolean;
}

function parse(argv: string[]): Args {
  let values: { scale?: string; seed?: string; now?: string; reset?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        scale: { type: 'string' },
        seed: { type: 'string' },
        now: { type: 'string' },
        reset: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  let scale: number | undefined;
  if (values.scale !== undefined) {
    scale = Number(values.scale);
    if (values.scale.trim() === '' || !Number.isFinite(scale)) throw new UsageError(`--scale must be a number, got "${values.scale}".`);
    if (scale <= 0) throw new UsageError(`--scale must be above 0, got ${values.scale}.`);
    if (scale > MAX_SCALE) throw new UsageError(`--scale must be at most ${MAX_SCALE}, got ${values.scale}.`);
  }
  let seed = 1;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!/^\d+$/.test(values.seed) || seed > 0xffffffff) {
      throw new UsageError(`--seed must be a whole number from 0 to 4294967295, got "${values.seed}".`);
    }
  }
  let now: Date | undefined;
  if (values.now !== undefined) {
    now = new Date(values.now);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.now) || Number.isNaN(now.getTime())) {
      throw new UsageError(`--now must be an ISO date or date-time such as 2026-03-01T12:00:00Z, got "${values.now}".`);
    }
  }
  return { scale, seed, now, reset: values.reset ?? false, help: values.help ?? false };
}

function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const quoted = /'([^']+)'/.exec(message ?? '')?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `Unknown option ${quoted ?? ''}; the options are --scale, --seed, --now, --reset and --help.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `Unexpected argument "${quoted ?? ''}"; values go after their option, as in --scale 1.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = quoted?.split(' ')[0] ?? 'This option';
      if (/does not take an argument/.test(message ?? '')) return `${option} takes no value.`;
      if (/ambiguous/.test(message ?? '')) return `${option} needs a value; write one that starts with "-" as ${option}=VALUE.`;
      return `${option} needs a value, as in --scale 1.`;
    }
    default:
      return message ?? String(error);
  }
}

const number = new Intl.NumberFormat('en-US');

function displayPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative.startsWith('..') ? dir : relative;
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const TABLE_NAMES: Record<SeedTable, string> = {
  organizations: 'organizations',
  users: 'users',
  tags: 'tags',
  tickets: 'tickets',
  ticketTags: 'ticket tags',
  comments: 'comments',
};

/**
 * One line per table. On a terminal the line is rewritten as chunks land; elsewhere (CI logs, a file)
 * only the finished line is printed, plus a progress line every 5 s for a table that takes long.
 */
function progressPrinter(): (progress: SeedProgress) => void {
  const tty = process.stdout.isTTY === true;
  // A table's time runs from the end of the previous one (the first from the first report, which
  // comes after the data was planned and the password hashed).
  let tableStarted: number | undefined;
  let lastLine = performance.now();
  return ({ table, done, total }) => {
    const now = performance.now();
    tableStarted ??= now;
    const line = `  ${TABLE_NAMES[table].padEnd(13)} ${`${number.format(done)}/${number.format(total)}`.padStart(17)}`;
    if (done === total) {
      process.stdout.write(`${tty ? '\r\x1b[K' : ''}${line}  ${seconds(now - tableStarted).padStart(6)}\n`);
      partialLine = false;
      tableStarted = lastLine = now;
    } else if (tty) {
      process.stdout.write(`\r\x1b[K${line}`);
      partialLine = true;
    } else if (now - lastLine >= 5000) {
      process.stdout.write(`${line}\n`);
      lastLine = now;
    }
  };
}

function demoAccountsText(seeded: SeededAccount[] | null): string {
  if (seeded) return `Demo accounts with random passwords, shown only this once:\n${seededAccountLines(seeded).join('\n')}`;
  return demoAccountsLine();
}

function demoAccountsLine(): string {
  const bySlug = new Map<string, string[]>();
  for (const a of DEMO_ACCOUNTS) bySlug.set(a.organizationSlug, [...(bySlug.get(a.organizationSlug) ?? []), `${a.email} (${a.role})`]);
  const groups = [...bySlug].map(([slug, accounts]) => `  ${slug}: ${accounts.join(', ')}`);
  return `Demo accounts, password "${DEMO_PASSWORD}":\n${groups.join('\n')}`;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  const demoPasswords = demoPasswordsFor(config.nodeEnv, config.seedDemo);
  if (!demoPasswords) throw new SeedError(seedRefusal());
  const scale = args.scale ?? config.seedScale;
  const planned = plannedCounts(scale);
  if (config.database.kind === 'embedded' && config.database.dataDir && !existsSync(config.database.dataDir)) {
    throw new SeedError(
      `There is no embedded database in ${displayPath(config.database.dataDir)} yet. ` +
        'Run `npm run db:migrate` first to create it, then seed again (or set DATABASE_URL to use PostgreSQL).',
    );
  }

  let database: Database | undefined;
  try {
    database = await openDatabase(config.database);
    console.log(
      `Seeding ${database.label} at scale ${scale}, seed ${args.seed}${args.reset ? ', after deleting all data' : ''}: ` +
        `${number.format(planned.organizations)} organizations, ${number.format(planned.users)} users, ` +
        `${number.format(planned.tickets)} tickets, ${number.format(planned.comments)} comments.`,
    );
    const summary = await seedDatabase(database.prisma, {
      scale,
      seed: args.seed,
      now: args.now,
      reset: args.reset,
      demoPasswords,
      onProgress: progressPrinter(),
    });
    const c = summary.counts;
    console.log(
      `Seeded in ${seconds(summary.elapsedMs)}: ${number.format(c.organizations)} organizations, ${number.format(c.users)} users, ` +
        `${number.format(c.tags)} tags, ${number.format(c.tickets)} tickets, ${number.format(c.ticketTags)} ticket tags, ` +
        `${number.format(c.comments)} comments.`,
    );
    console.log(demoAccountsText(summary.demoAccounts));
    return 0;
  } finally {
    await database?.close().catch(() => {});
  }
}

/** Error codes (ours, node's, PostgreSQL's) anywhere in the cause chain. */
function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e = error as Record<string, unknown> | undefined, depth = 0; e && depth < 6; depth++) {
    for (const key of ['code', 'originalCode', 'kind']) if (typeof e[key] === 'string') codes.push(e[key] as string);
    const meta = e.meta as Record<string, unknown> | undefined;
    e = (e.cause ?? meta?.driverAdapterError ?? (e as { errors?: unknown[] }).errors?.[0]) as Record<string, unknown> | undefined;
  }
  const text = error instanceof Error ? error.message : '';
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN']) if (text.includes(code)) codes.push(code);
  return codes;
}

/** One paragraph, no stack: what failed and what to do. */
function explain(error: unknown): string {
  if (error instanceof UsageError) return `db:seed: ${error.message} Run \`npm run db:seed -- --help\` for the options.`;
  if (error instanceof SeedError) return `db:seed failed: ${error.message}`;
  // Prisma wraps a driver's error as "Invalid `prisma.$queryRawUnsafe()` invocation: Raw query failed.
  // Code: `3D000`. Message: `database "x" does not exist`"; the driver's message is the useful part.
  const full = error instanceof Error ? error.message : String(error);
  const raw = /Message: `([\s\S]*)`\s*$/.exec(full)?.[1] ?? full;
  const message = raw
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  if (error instanceof ConfigError) return `db:seed failed: ${message.replace(/ - /g, ' ')} Fix the environment and run it again.`;
  const codes = errorCodes(error);
  if (codes.some((c) => ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'DatabaseNotReachable', 'P1001'].includes(c))) {
    return `db:seed failed: could not reach the database (${message}). Check DATABASE_URL and that the server is running.`;
  }
  if (codes.includes('3D000'))
    return `db:seed failed: ${message}. Create the database named in DATABASE_URL, run \`npm run db:migrate\`, then seed.`;
  if (codes.includes('28P01') || codes.includes('28000'))
    return `db:seed failed: the database refused the credentials (${message}). Check DATABASE_URL.`;
  return (
    `db:seed failed: ${message} The seed runs in one transaction, so nothing was kept. ` +
    'If the schema changed since the database was migrated, run `npm run db:migrate` first.'
  );
}

// Exits explicitly, so no driver left open can keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (partialLine) process.stdout.write('\n');
    console.error(explain(error));
    process.exit(1);
  },
);
