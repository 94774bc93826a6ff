// The plan's organizations and users: who exists, in which organization, with which role, and how
// much of the work each one draws (customers file tickets, admins and agents work them).
import type { Role } from '../generated/enums.ts';
import { DAY, type Calendar } from './calendar.ts';
import { DEMO_ACCOUNTS } from './demo-accounts.ts';
import { emailLocalPart, FIRST_NAMES, LAST_NAMES, ORGANIZATIONS } from './names.ts';
import type { OrgPlan, UserPlan } from './plan.ts';
import type { Random } from './random.ts';
import { SEED_TAGS } from './topics.ts';
import { cumulativeOf } from './weights.ts';

/** Organizations and their relative sizes; acme is the largest, to make the demo interesting. */
export function planOrganizations(count: number, calendar: Calendar, rng: Random): { orgs: OrgPlan[]; orgWeights: number[] } {
  const orgWeights: number[] = [];
  const orgs: OrgPlan[] = [];
  for (let i = 0; i < count; i++) {
    const [slug, name] = ORGANIZATIONS[i % ORGANIZATIONS.length]!;
    const round = Math.floor(i / ORGANIZATIONS.length);
    orgWeights.push(i === 0 ? 2 : i === 1 ? 1 : 0.4 + 1.2 * rng.next());
    orgs.push({
      id: i + 1,
      slug: round === 0 ? slug : `${slug}-${round + 1}`,
      name: round === 0 ? name : `${name} ${round + 1}`,
      createdAt: calendar.start - Math.floor((30 + 700 * rng.next()) * DAY),
      staff: [],
      staffCumulative: new Float64Array(0),
      customers: [],
      customerCumulative: new Float64Array(0),
      firstTagId: i * SEED_TAGS.length + 1,
    });
  }
  return { orgs, orgWeights };
}

interface People {
  users: UserPlan[];
  /** First name of each user, by id (index 0 is unused: ids start at 1). */
  firstNames: string[];
  /** Emails taken so far, the demo accounts' from the start. */
  emails: Set<string>;
}

/** Users: per organization, admins first, then agents, then customers. Fills each org's staff and customers. */
export function planUsers(orgs: OrgPlan[], usersPerOrg: number[], calendar: Calendar, rng: Random): Omit<People, 'emails'> {
  const people: People = { users: [], firstNames: [''], emails: new Set<string>(DEMO_ACCOUNTS.map((a) => a.email)) };
  orgs.forEach((org, orgIndex) => planOrganizationUsers(org, usersPerOrg[orgIndex]!, calendar.start, rng, people));
  return { users: people.users, firstNames: people.firstNames };
}

function planOrganizationUsers(org: OrgPlan, size: number, start: number, rng: Random, people: People): void {
  const admins = Math.max(1, Math.round(size * 0.01));
  const agents = Math.max(1, Math.round(size * 0.1));
  const demo = DEMO_ACCOUNTS.filter((a) => a.organizationSlug === org.slug);
  const staffWeights: number[] = [];
  const customerWeights: number[] = [];
  for (let k = 0; k < size; k++) {
    const role: Role = k < admins ? 'ADMIN' : k < admins + agents ? 'AGENT' : 'CUSTOMER';
    const firstOfRole = k === 0 || k === admins || k === admins + agents;
    const account = firstOfRole ? demo.find((a) => a.role === role) : undefined;
    const id = people.users.length + 1;
    const { name, email } = account ?? drawIdentity(org.slug, rng, people.emails);
    people.emails.add(email);
    people.firstNames.push(name.split(' ')[0]!);
    people.users.push({
      id,
      organizationId: org.id,
      email,
      name,
      role,
      createdAt: org.createdAt + Math.floor(rng.next() * (start - org.createdAt)),
    });
    if (role === 'CUSTOMER') {
      // Some customers file many tickets, most a few; the demo customer is a regular.
      customerWeights.push(account ? 2 : Math.exp(rng.normal()));
      org.customers.push(id);
    } else {
      staffWeights.push(role === 'ADMIN' ? 0.25 : 0.5 + rng.next());
      org.staff.push(id);
    }
  }
  org.staffCumulative = cumulativeOf(staffWeights);
  org.customerCumulative = cumulativeOf(customerWeights);
}

/** A drawn name, and an email from it that no one has yet (a number is added until it is free). */
function drawIdentity(orgSlug: string, rng: Random, emails: ReadonlySet<string>): { name: string; email: string } {
  const first = rng.pick(FIRST_NAMES);
  const last = rng.pick(LAST_NAMES);
  const local = emailLocalPart(first, last);
  let email = `${local}@${orgSlug}.test`;
  for (let n = 2; emails.has(email); n++) email = `${local}${n}@${orgSlug}.test`;
  return { name: `${first} ${last}`, email };
}
