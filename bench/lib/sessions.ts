// Signing in as the seeded accounts of the mix, and finding the tickets each will read and write: done
// by the orchestrator before any load, so the load generator only replays what it is handed.
import { ACCOUNTS, LOGIN, PASSWORD } from './operations.ts';

export interface Session {
  email: string;
  token: string;
  role: 'ADMIN' | 'AGENT' | 'CUSTOMER';
  organization: string;
  /** Hot tickets for the detail query: the first open ones (staff) or their own (customers). */
  hotTickets: string[];
  /** Tickets agents write to besides the hot ones. */
  otherTickets: string[];
}

export async function graphql(
  url: string,
  query: string,
  variables: Record<string, unknown> | null,
  token: string | null,
  operationName?: string,
): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables, operationName }),
  });
  const body = (await response.json()) as { data?: any; errors?: { message: string }[] };
  if (!response.ok || body.errors?.length) {
    throw new Error(`${operationName ?? 'request'} failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body)}`);
  }
  return body.data;
}

/** Signs in as every account of the mix and finds the tickets it will read and write. */
export async function prepareSessions(url: string): Promise<Session[]> {
  return Promise.all(
    ACCOUNTS.map(async ({ email }) => {
      const login = await graphql(url, LOGIN, { email, password: PASSWORD }, null, 'Login');
      const token = login.login.token as string;
      const role = login.login.user.role as Session['role'];
      const staff = role !== 'CUSTOMER';
      const list = await graphql(
        url,
        staff
          ? `query Discover { tickets(first: 40, filter: { status: [OPEN, IN_PROGRESS] }) { edges { node { id } } } }`
          : `query Discover { tickets(first: 10) { edges { node { id } } } }`,
        null,
        token,
        'Discover',
      );
      const ids = (list.tickets.edges as { node: { id: string } }[]).map((e) => e.node.id);
      const hot = ids.slice(0, staff ? 5 : 3);
      if (hot.length === 0) throw new Error(`${email} sees no tickets: is the database seeded?`);
      return {
        email,
        token,
        role,
        organization: login.login.user.organization.slug as string,
        hotTickets: hot,
        otherTickets: ids.slice(hot.length),
      };
    }),
  );
}
