// Which passwords the demo accounts get. DEMO_PASSWORD is printed in the README, so a production
// database seeded with it would let in anyone who has read the README: in production the demo seed runs
// only when asked (SEED_DEMO=1), and then every demo account gets its own random password, shown once.
// Development and the tests keep DEMO_PASSWORD.
import { generatePassword, hashPassword } from '../../identity/passwords.ts';
import type { Prisma } from '../generated/client.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo-accounts.ts';

/** fixed: every seeded user has DEMO_PASSWORD; random: a random one per demo account, none known for the rest. */
export type DemoPasswords = 'fixed' | 'random';

/** A demo account and the password it was seeded with, to show once. */
export interface SeededAccount {
  email: string;
  role: string;
  organizationSlug: string;
  password: string;
}

/** What the create-the-first-admin command looks like, for messages. */
const ADMIN_CREATE_USAGE = 'npm run admin:create -- --email EMAIL --name NAME --organization SLUG';

/** The passwords a seed may use here, or null when seeding demo accounts must be refused (see seedRefusal). */
export function demoPasswordsFor(nodeEnv: string, seedDemo: boolean): DemoPasswords | null {
  if (nodeEnv !== 'production') return 'fixed';
  return seedDemo ? 'random' : null;
}

/** Why a production seed did not run, and how to ask for one. */
export function seedRefusal(): string {
  return (
    'NODE_ENV=production: the demo data is not seeded, because its accounts would have the password printed in the README. ' +
    'Set SEED_DEMO=1 to seed it with a random password per demo account (printed once), ' +
    `or create the first admin with \`${ADMIN_CREATE_USAGE}\`.`
  );
}

/** The hash every seeded user gets: DEMO_PASSWORD's, or one of a random password nobody is told. */
export async function bulkPasswordHash(passwords: DemoPasswords): Promise<string> {
  return hashPassword(passwords === 'fixed' ? DEMO_PASSWORD : generatePassword());
}

/** Gives every demo account its own random password, in the seed's transaction; returns them, to show once. */
export async function setRandomDemoPasswords(tx: Prisma.TransactionClient): Promise<SeededAccount[]> {
  const accounts: SeededAccount[] = [];
  for (const { email, role, organizationSlug } of DEMO_ACCOUNTS) {
    const password = generatePassword();
    await tx.user.update({ where: { email }, data: { passwordHash: await hashPassword(password) } });
    accounts.push({ email, role, organizationSlug, password });
  }
  return accounts;
}

/** One line per account: "  admin@acme.test (ADMIN, acme): <password>". */
export function seededAccountLines(accounts: readonly SeededAccount[]): string[] {
  return accounts.map((a) => `  ${a.email} (${a.role}, ${a.organizationSlug}): ${a.password}`);
}
