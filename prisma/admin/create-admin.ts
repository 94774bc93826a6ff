// Creates an ADMIN user in an organization (created when it does not exist yet): how a production
// deployment gets its first account, since it is never seeded with the demo ones.
import { hashPassword } from '../../identity/passwords.ts';
import type { PrismaClient } from '../generated/client.ts';

/** A problem the person running the command can fix; its message says what to do. */
export class AdminError extends Error {
  override name = 'AdminError';
}

export interface NewAdmin {
  email: string;
  name: string;
  /** An organization's slug or name; a new organization with this name is created when none matches. */
  organization: string;
  password: string;
}

export interface CreatedAdmin {
  userId: number;
  organization: { slug: string; name: string; created: boolean };
}

export const MIN_PASSWORD_LENGTH = 12;

export async function createAdmin(prisma: PrismaClient, admin: NewAdmin): Promise<CreatedAdmin> {
  const email = admin.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AdminError(`"${admin.email}" is not an email address.`);
  if (!admin.name.trim()) throw new AdminError('The name must not be empty.');
  if (admin.password.length < MIN_PASSWORD_LENGTH)
    throw new AdminError(`The password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  const passwordHash = await hashPassword(admin.password);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email }, select: { organization: { select: { slug: true } } } });
    if (existing)
      throw new AdminError(
        `A user with the email ${email} already exists (organization ${existing.organization.slug}); nothing was changed.`,
      );
    const organization = await findOrCreateOrganization(tx, admin.organization.trim());
    const user = await tx.user.create({
      data: { email, name: admin.name.trim(), role: 'ADMIN', passwordHash, organizationId: organization.id },
      select: { id: true },
    });
    return { userId: user.id, organization: { slug: organization.slug, name: organization.name, created: organization.created } };
  });
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

async function findOrCreateOrganization(tx: Tx, wanted: string) {
  if (!wanted) throw new AdminError('The organization must not be empty: give its slug, or the name of a new one.');
  const found =
    (await tx.organization.findUnique({ where: { slug: wanted } })) ?? (await tx.organization.findFirst({ where: { name: wanted } }));
  if (found) return { ...found, created: false };
  const slug = slugOf(wanted);
  if (!slug) throw new AdminError(`"${wanted}" has no letters or digits to make an organization slug from.`);
  if (await tx.organization.findUnique({ where: { slug } })) {
    throw new AdminError(`No organization is named "${wanted}", and its slug "${slug}" is taken: give that organization's slug instead.`);
  }
  return { ...(await tx.organization.create({ data: { slug, name: wanted } })), created: true };
}

/** "Acme Inc." → "acme-inc" */
function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}
