// The accounts people sign in with: the demo, the tests and the benchmarks all rely on them existing
// at every scale, with these emails, roles and DEMO_PASSWORD.
import type { Role } from '../generated/enums.ts';

export const DEMO_PASSWORD = 'deskgraph';

interface DemoAccount {
  email: string;
  name: string;
  role: Role;
  organizationSlug: string;
}

/**
 * Accounts that exist at every scale, all with DEMO_PASSWORD. The first of each role in its
 * organization. acme is the organization the demo and the tests act in; globex is there to check
 * that nothing crosses organizations.
 */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { email: 'admin@acme.test', name: 'Ada Admin', role: 'ADMIN', organizationSlug: 'acme' },
  { email: 'agent@acme.test', name: 'Alan Agent', role: 'AGENT', organizationSlug: 'acme' },
  { email: 'customer@acme.test', name: 'Carla Customer', role: 'CUSTOMER', organizationSlug: 'acme' },
  { email: 'admin@globex.test', name: 'Grace Admin', role: 'ADMIN', organizationSlug: 'globex' },
  { email: 'agent@globex.test', name: 'Gus Agent', role: 'AGENT', organizationSlug: 'globex' },
  { email: 'customer@globex.test', name: 'Gina Customer', role: 'CUSTOMER', organizationSlug: 'globex' },
];

/** The demo customer of acme requests at least this many tickets, each with at least 3 comments. */
export const DEMO_CUSTOMER_MIN_TICKETS = 8;

/** Comments every ticket of the demo customer gets on top of its drawn share (see ticketComments). */
export const DEMO_RESERVED_COMMENTS = 3;
