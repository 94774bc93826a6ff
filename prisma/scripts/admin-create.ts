// `npm run admin:create -- --email E --name N --organization SLUG-or-NAME [--generate-password]`:
// creates an ADMIN user in the configured database (DATABASE_URL, else the embedded PGlite under
// DATA_DIR), in the organization with that slug or name (created when none matches). The password is
// read without echo (prompt, or stdin's first line) or generated and printed once; see prisma/admin/.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../server/platform/config.ts';
import { openDatabase, type Database } from '../../server/platform/database.ts';
import { AdminError, createAdmin, MIN_PASSWORD_LENGTH } from '../admin/create-admin.ts';
import { readPassword } from '../admin/read-password.ts';
import { generatePassword } from '../../identity/passwords.ts';

const USAGE = `Usage: npm run admin:create -- --email EMAIL --name NAME --organization SLUG-or-NAME [--generate-password]

  --email              the admin's email (sign-in name); must not exist yet.
  --name               the admin's display name.
  --organization       an organization's slug or name; a new one with this name is created when none matches.
  --generate-password  generate a random password and print it once, without reading one.
  Otherwise the password (at least ${MIN_PASSWORD_LENGTH} characters) is asked for at a hidden prompt, or read
  from stdin's first line when stdin is not a terminal; an empty answer generates one.`;

interface Args {
  email: string;
  name: string;
  organization: string;
  generate: boolean;
}

function parse(argv: string[]): Args | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      organization: { type: 'string' },
      'generate-password': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return null;
  const missing = (['email', 'name', 'organization'] as const).filter((key) => !values[key]);
  if (missing.length) throw new AdminError(`missing ${missing.map((m) => `--${m}`).join(', ')}.\n\n${USAGE}`);
  return { email: values.email!, name: values.name!, organization: values.organization!, generate: values['generate-password'] ?? false };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  if (config.database.kind === 'embedded' && config.database.dataDir && !existsSync(config.database.dataDir)) {
    throw new AdminError(
      `There is no embedded database in ${config.database.dataDir} yet: run \`npm run db:migrate\` (or start the server once) first.`,
    );
  }
  const { password, generated } = args.generate ? { password: generatePassword(), generated: true } : await readPassword();
  let database: Database | undefined;
  try {
    database = await openDatabase(config.database);
    const created = await createAdmin(database.prisma, { email: args.email, name: args.name, organization: args.organization, password });
    const org = `${created.organization.name} (${created.organization.slug})${created.organization.created ? ', created now' : ''}`;
    console.log(`Created admin ${args.email.trim().toLowerCase()} in ${org} on ${database.label}.`);
    if (generated) console.log(`Generated password, shown only this once: ${password}`);
    return 0;
  } finally {
    await database?.close().catch(() => {});
  }
}

function explain(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AdminError || error instanceof ConfigError) return `admin:create: ${message}`;
  if (/does not exist/.test(message) && /table/i.test(message))
    return `admin:create: the database is not migrated; run \`npm run db:migrate\` first.`;
  if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return `admin:create: ${message}\n\n${USAGE}`;
  return `admin:create failed: ${message}`;
}

// Exits explicitly, so no driver left open can keep the process alive.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(explain(error));
    process.exit(1);
  },
);
