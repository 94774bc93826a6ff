// Cross-organization and cross-customer access, for every root field and every Node type, generated from
// the schema: each Query and Mutation field and each type implementing Node must have a case below, so
// a new field cannot ship untested. Each case runs over HTTP as admin@globex.test against acme's
// objects, and as customer@acme.test against a ticket someone else requested; no foreign data may come
// back, and a refused mutation must leave its object as it was (read back as its owner).
import { GraphQLObjectType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../schema/index.ts';
import { DEMO_PASSWORD } from '../prisma/seed/demo-accounts.ts';
import { startTestServer, type GraphQLResponse, type TestServer } from './harness.ts';

type Actor = 'globexAdmin' | 'customer';
type Code = 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED' | 'BAD_USER_INPUT';

interface Fixture {
  server: TestServer;
  tokens: Record<Actor | 'acmeAdmin', string>;
  ids: {
    acmeOrg: string;
    customer: string;
    otherCustomer: string;
    acmeAgent: string;
    globexTicket: string;
    ownTicket: string;
    othersTicket: string;
    othersComment: string;
    /** An internal note on the customer's own ticket: not theirs to see either. */
    internalOnOwn: string;
    acmeTag: string;
  };
  /** What the actor must never receive: acme's ids, titles and emails (globex), or another customer's (customer). */
  foreign: Record<Actor, { ids: Set<string>; texts: Set<string> }>;
}

type Case = (f: Fixture, actor: Actor) => Promise<void>;

let f: Fixture;

async function as(actor: Actor | 'acmeAdmin', query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  const response = await f.server.gql(query, variables, f.tokens[actor]);
  if (actor !== 'acmeAdmin' && f.foreign) expectNoForeignData(response, actor);
  return response;
}

/** No foreign id, title or email in data; none of the foreign texts in errors (they may echo the id asked for). */
function expectNoForeignData(response: GraphQLResponse, actor: Actor): void {
  const foreign = f.foreign[actor];
  const data = JSON.stringify(response.body.data ?? null);
  const errors = JSON.stringify(response.body.errors ?? []);
  // Quoted: one base64 id can be the prefix of another (User:1, User:17).
  for (const id of foreign.ids) expect(data, `foreign id ${id} came back to ${actor}`).not.toContain(`"${id}"`);
  for (const text of foreign.texts) {
    expect(data, `foreign text "${text}" came back to ${actor}`).not.toContain(text);
    expect(errors, `foreign text "${text}" came back to ${actor} in an error`).not.toContain(text);
  }
}

const codes = (response: GraphQLResponse) => (response.body.errors ?? []).map((error) => error.extensions?.code);

function expectRefused(response: GraphQLResponse, allowed: Code[]): void {
  const got = codes(response);
  expect(got.length, JSON.stringify(response.body)).toBeGreaterThan(0);
  for (const code of got) expect(allowed).toContain(code);
}

const TICKET_STATE = `query ($id: ID!) { node(id: $id) { ... on Ticket { title body status priority updatedAt commentCount assignee { id } requester { id } tags { name } } } }`;

/** The ticket's row, its comments and tags, straight from the database (a cache cannot mask a change). */
async function ticketRow(ticketId: string) {
  const id = Number(Buffer.from(ticketId, 'base64').toString('utf8').split(':')[1]);
  return f.server.database.prisma.ticket.findUniqueOrThrow({
    where: { id },
    include: { comments: { orderBy: { id: 'asc' } }, tags: true },
  });
}

/** Runs a mutation as the actor and checks, as acme's admin and in the database, that the ticket did not change. */
async function unchanged(ticketId: string, act: () => Promise<void>): Promise<void> {
  const before = await as('acmeAdmin', TICKET_STATE, { id: ticketId });
  const rowBefore = await ticketRow(ticketId);
  expect(before.body.data?.node).toBeTruthy();
  await act();
  const after = await as('acmeAdmin', TICKET_STATE, { id: ticketId });
  expect(after.body.data).toEqual(before.body.data);
  expect(await ticketRow(ticketId)).toEqual(rowBefore);
}

/** The ticket a case acts on: acme's for globex, another customer's for the customer. */
const target = (actor: Actor) => (actor === 'globexAdmin' ? f.ids.ownTicket : f.ids.othersTicket);

// How each Node type is reached from the other side; null: the customer may see it (same organization).
const nodeCases: Record<string, { globexAdmin: () => string; customer: (() => string) | null }> = {
  Comment: { globexAdmin: () => f.ids.othersComment, customer: () => f.ids.internalOnOwn },
  Organization: { globexAdmin: () => f.ids.acmeOrg, customer: null },
  Tag: { globexAdmin: () => f.ids.acmeTag, customer: null },
  Ticket: { globexAdmin: () => f.ids.ownTicket, customer: () => f.ids.othersTicket },
  User: { globexAdmin: () => f.ids.customer, customer: () => f.ids.otherCustomer },
};

function nodeIdsFor(actor: Actor): string[] {
  return Object.values(nodeCases).flatMap((c) => {
    const id = c[actor];
    return id ? [id()] : [];
  });
}

const both = (run: Case): Record<Actor, Case> => ({ globexAdmin: run, customer: run });

const cases: Record<string, Record<Actor, Case>> = {
  'Query.viewer': both(async (fx, actor) => {
    const response = await as(actor, '{ viewer { id email organization { slug } } }');
    expect(response.body.data?.viewer.email).toBe(actor === 'customer' ? 'customer@acme.test' : 'admin@globex.test');
  }),
  'Query.node': both(async (_fx, actor) => {
    const ids = nodeIdsFor(actor);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      const response = await as(actor, 'query ($id: ID!) { node(id: $id) { id __typename } }', { id });
      expect(response.body.data, id).toEqual({ node: null });
    }
  }),
  'Query.nodes': both(async (_fx, actor) => {
    const ids = nodeIdsFor(actor);
    const response = await as(actor, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(response.body.data).toEqual({ nodes: ids.map(() => null) });
  }),
  'Query.organization': {
    globexAdmin: async () =>
      expectRefused(await as('globexAdmin', '{ organization(slug: "acme") { id name users(first: 100) { edges { node { id } } } } }'), [
        'NOT_FOUND',
      ]),
    // Their own organization: its users are staff and themselves, never another customer.
    customer: async () => {
      const response = await as('customer', '{ organization(slug: "acme") { id users(first: 100) { edges { node { id role } } } } }');
      const users = response.body.data!.organization.users.edges.map((e: any) => e.node);
      expect(users.filter((u: any) => u.role === 'CUSTOMER').map((u: any) => u.id)).toEqual([f.ids.customer]);
    },
  },
  'Query.tags': {
    globexAdmin: async () => {
      const response = await as('globexAdmin', '{ tags { id name } }');
      expect(response.body.data!.tags.length).toBeGreaterThan(0);
    },
    customer: async () => {
      const response = await as('customer', '{ tags { id name } }');
      expect(response.body.errors).toBeUndefined();
    },
  },
  'Query.ticket': both(async (_fx, actor) => {
    const response = await as(actor, 'query ($id: ID!) { ticket(id: $id) { id title comments(first: 10) { edges { node { id } } } } }', {
      id: target(actor),
    });
    expectRefused(response, ['NOT_FOUND']);
    expect(response.body.data?.ticket ?? null).toBeNull();
  }),
  'Query.tickets': both(async (fx, actor) => {
    const all = await as(actor, '{ tickets(first: 100) { totalCount edges { node { id organization { slug } requester { id } } } } }');
    const edges = all.body.data!.tickets.edges.map((e: any) => e.node);
    expect(edges.length).toBeGreaterThan(0);
    if (actor === 'globexAdmin') expect(edges.every((t: any) => t.organization.slug === 'globex')).toBe(true);
    else expect(edges.every((t: any) => t.requester.id === fx.ids.customer)).toBe(true);
    // Filtering by a foreign person finds nothing.
    const person = actor === 'globexAdmin' ? fx.ids.customer : fx.ids.otherCustomer;
    const filtered = await as(
      actor,
      'query ($p: ID!) { tickets(first: 10, filter: { requesterId: $p }) { totalCount edges { node { id } } } }',
      { p: person },
    );
    if (filtered.body.errors) expectRefused(filtered, ['NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN']);
    else expect(filtered.body.data!.tickets).toEqual({ totalCount: 0, edges: [] });
  }),
  'Query.users': both(async (fx, actor) => {
    const response = await as(actor, '{ users(first: 100) { edges { node { id role organization { slug } } } } }');
    const users = response.body.data!.users.edges.map((e: any) => e.node);
    expect(users.length).toBeGreaterThan(0);
    if (actor === 'globexAdmin') expect(users.every((u: any) => u.organization.slug === 'globex')).toBe(true);
    else expect(users.filter((u: any) => u.role === 'CUSTOMER').map((u: any) => u.id)).toEqual([fx.ids.customer]);
  }),
  'Query.dashboardStats': {
    // Globex's numbers only: they add up to globex's ticket count.
    globexAdmin: async () => {
      const stats = await as(
        'globexAdmin',
        '{ dashboardStats { byStatus { count } openByAssignee { assignee { id organization { slug } } count } } }',
      );
      const total = await as('globexAdmin', '{ tickets(first: 1) { totalCount } }');
      const sum = stats.body.data!.dashboardStats.byStatus.reduce((s: number, c: any) => s + c.count, 0);
      expect(sum).toBe(total.body.data!.tickets.totalCount);
      for (const row of stats.body.data!.dashboardStats.openByAssignee) expect(row.assignee?.organization.slug ?? 'globex').toBe('globex');
    },
    customer: async () => expectRefused(await as('customer', '{ dashboardStats { byStatus { count } } }'), ['FORBIDDEN']),
  },

  'Mutation.login': both(async (_fx, actor) => {
    // Signing in as someone else takes their password; a wrong one gives no token.
    const response = await as(actor, 'mutation ($e: String!) { login(email: $e, password: "guess") { token user { id } } }', {
      e: 'admin@acme.test',
    });
    expectRefused(response, ['UNAUTHENTICATED']);
    expect(response.body.data).toBeNull();
  }),
  'Mutation.logout': both(async (fx, actor) => {
    // Logout revokes only the token it is sent with: the owner's token keeps working.
    const email = actor === 'globexAdmin' ? 'admin@globex.test' : 'customer@acme.test';
    const own = await fx.server.login(email);
    const out = await fx.server.gql('mutation { logout }', {}, own);
    expect(out.body.data).toEqual({ logout: true });
    const owner = await as('acmeAdmin', '{ viewer { email } }');
    expect(owner.body.data).toEqual({ viewer: { email: 'admin@acme.test' } });
    const other = await as(actor, '{ viewer { email } }');
    expect(other.body.data?.viewer.email).toBe(email);
  }),
  'Mutation.createTicket': {
    // For someone in another organization, or assigned to one: refused, and acme gains no ticket.
    globexAdmin: async (fx) => {
      const count = async () => (await as('acmeAdmin', '{ tickets(first: 1) { totalCount } }')).body.data!.tickets.totalCount as number;
      const before = await count();
      for (const input of [{ requesterId: fx.ids.customer }, { assigneeId: fx.ids.acmeAgent }]) {
        const response = await as(
          'globexAdmin',
          'mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id requester { id } assignee { id } } } }',
          {
            input: { title: 'cross-org', body: 'x', ...input },
          },
        );
        expectRefused(response, ['NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN']);
      }
      expect(await count()).toBe(before);
    },
    // On behalf of another customer: refused; their ticket list does not grow.
    customer: async (fx) => {
      const theirs = async () =>
        (
          await as(
            'acmeAdmin',
            'query ($id: ID!) { node(id: $id) { ... on User { requestedTickets(first: 100) { edges { node { id } } } } } }',
            { id: fx.ids.otherCustomer },
          )
        ).body.data!.node.requestedTickets.edges.length as number;
      const before = await theirs();
      const response = await as(
        'customer',
        'mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id requester { id } } } }',
        {
          input: { title: 'on behalf', body: 'x', requesterId: fx.ids.otherCustomer },
        },
      );
      expectRefused(response, ['FORBIDDEN']);
      expect(await theirs()).toBe(before);
    },
  },
  'Mutation.updateTicket': {
    globexAdmin: async (fx) => {
      await unchanged(fx.ids.ownTicket, async () =>
        expectRefused(
          await as(
            'globexAdmin',
            'mutation ($id: ID!) { updateTicket(input: { id: $id, title: "mine", status: CLOSED }) { ticket { id title } } }',
            { id: fx.ids.ownTicket },
          ),
          ['NOT_FOUND'],
        ),
      );
      // Nor may globex hand its own ticket to an acme agent.
      const response = await as(
        'globexAdmin',
        'mutation ($id: ID!, $a: ID!) { updateTicket(input: { id: $id, assigneeId: $a }) { ticket { assignee { id } } } }',
        {
          id: fx.ids.globexTicket,
          a: fx.ids.acmeAgent,
        },
      );
      expectRefused(response, ['NOT_FOUND', 'BAD_USER_INPUT', 'FORBIDDEN']);
    },
    customer: async (fx) =>
      unchanged(fx.ids.othersTicket, async () =>
        expectRefused(
          await as('customer', 'mutation ($id: ID!) { updateTicket(input: { id: $id, title: "mine" }) { ticket { id title } } }', {
            id: fx.ids.othersTicket,
          }),
          ['NOT_FOUND'],
        ),
      ),
  },
  'Mutation.bulkUpdateTickets': both(async (_fx, actor) =>
    unchanged(target(actor), async () =>
      expectRefused(
        await as(
          actor,
          'mutation ($ids: [ID!]!) { bulkUpdateTickets(input: { ids: $ids, status: CLOSED, priority: LOW }) { tickets { id status } } }',
          { ids: [target(actor)] },
        ),
        ['NOT_FOUND', 'FORBIDDEN'],
      ),
    ),
  ),
  'Mutation.addComment': both(async (_fx, actor) =>
    unchanged(target(actor), async () =>
      expectRefused(
        await as(actor, 'mutation ($id: ID!) { addComment(input: { ticketId: $id, body: "hello" }) { comment { id } ticket { id } } }', {
          id: target(actor),
        }),
        ['NOT_FOUND'],
      ),
    ),
  ),
  'Mutation.deleteComment': both(async (fx, actor) => {
    const comment = actor === 'globexAdmin' ? fx.ids.othersComment : fx.ids.internalOnOwn;
    const ticket = actor === 'globexAdmin' ? fx.ids.othersTicket : fx.ids.ownTicket;
    await unchanged(ticket, async () =>
      expectRefused(await as(actor, 'mutation ($id: ID!) { deleteComment(id: $id) { deletedCommentId } }', { id: comment }), [
        'NOT_FOUND',
        'FORBIDDEN',
      ]),
    );
    const still = await as('acmeAdmin', 'query ($id: ID!) { node(id: $id) { id } }', { id: comment });
    expect(still.body.data).toEqual({ node: { id: comment } });
  }),
  'Mutation.addTags': both(async (_fx, actor) =>
    unchanged(target(actor), async () =>
      expectRefused(
        await as(actor, 'mutation ($id: ID!) { addTags(input: { ticketId: $id, names: ["pwned"] }) { ticket { id } } }', {
          id: target(actor),
        }),
        ['NOT_FOUND', 'FORBIDDEN'],
      ),
    ),
  ),
  'Mutation.removeTags': both(async (fx, actor) => {
    const id = target(actor);
    const tags = (await as('acmeAdmin', TICKET_STATE, { id })).body.data!.node.tags.map((t: any) => t.name) as string[];
    await unchanged(id, async () =>
      expectRefused(
        await as(
          actor,
          'mutation ($id: ID!, $names: [String!]!) { removeTags(input: { ticketId: $id, names: $names }) { ticket { id } } }',
          { id, names: tags.length ? tags : ['x'] },
        ),
        ['NOT_FOUND', 'FORBIDDEN'],
      ),
    );
  }),
};

function rootFields(type: GraphQLObjectType | null | undefined): string[] {
  return type ? Object.keys(type.getFields()).map((name) => `${type.name}.${name}`) : [];
}

const nodeTypes = Object.values(schema.getTypeMap())
  .filter((type): type is GraphQLObjectType => isObjectType(type) && type.getInterfaces().some((i) => i.name === 'Node'))
  .map((type) => type.name);

describe('access matrix (generated from the schema)', () => {
  beforeAll(async () => {
    const server = await startTestServer();
    const [acmeAdmin, globexAdmin, customer] = await Promise.all(
      ['admin@acme.test', 'admin@globex.test', 'customer@acme.test'].map((e) => server.login(e)),
    );
    f = { server, tokens: { acmeAdmin, globexAdmin, customer } } as Fixture;
    // In pieces, within the query cost limit.
    const read = async (query: string) => {
      const response = await as('acmeAdmin', query);
      if (!response.body.data) throw new Error(JSON.stringify(response.body.errors));
      return response.body.data;
    };
    const { organization: org, users: userPage } = await read(
      '{ organization(slug: "acme") { id name tags { id } } users(first: 100) { edges { node { id email role } } } }',
    );
    const ticketPage = await read(
      '{ tickets(first: 60) { edges { node { id title body requester { id email } tags { name } comments(first: 10) { edges { node { id internal body } } } } } } }',
    );
    const users = userPage.edges.map((e: any) => e.node) as { id: string; email: string; role: string }[];
    const tickets = ticketPage.tickets.edges.map((e: any) => e.node) as any[];
    const customerId = users.find((u) => u.email === 'customer@acme.test')!.id;
    const others = tickets.filter((t) => t.requester.id !== customerId && t.comments.edges.length > 0 && t.tags.length > 0);
    const own = tickets.filter((t) => t.requester.id === customerId);
    const ownWithInternal = own.find((t) => t.comments.edges.some((e: any) => e.node.internal))!;
    const othersTicket = others[0];
    const otherCustomer =
      users.find((u) => u.role === 'CUSTOMER' && u.id === othersTicket.requester.id) ??
      users.find((u) => u.role === 'CUSTOMER' && u.id !== customerId)!;
    const globexTicket = (await as('globexAdmin', '{ tickets(first: 1) { edges { node { id } } } }')).body.data!.tickets.edges[0].node.id;
    f.ids = {
      acmeOrg: org.id,
      customer: customerId,
      otherCustomer: otherCustomer.id,
      acmeAgent: users.find((u) => u.email === 'agent@acme.test')!.id,
      globexTicket,
      ownTicket: ownWithInternal.id,
      othersTicket: othersTicket.id,
      othersComment: othersTicket.comments.edges[0].node.id,
      internalOnOwn: ownWithInternal.comments.edges.find((e: any) => e.node.internal).node.id,
      acmeTag: org.tags[0].id,
    };
    const acmeIds = new Set<string>([
      org.id,
      ...users.map((u) => u.id),
      ...tickets.map((t) => t.id),
      ...tickets.flatMap((t) => t.comments.edges.map((e: any) => e.node.id)),
      ...org.tags.map((t: any) => t.id),
    ]);
    const longTexts = (values: string[]) => values.filter((v) => v.length >= 12);
    const othersTickets = tickets.filter((t) => t.requester.id !== customerId);
    f.foreign = {
      globexAdmin: { ids: acmeIds, texts: new Set([org.name, ...users.map((u) => u.email), ...longTexts(tickets.map((t) => t.title))]) },
      customer: {
        ids: new Set([
          ...othersTickets.map((t) => t.id),
          ...users.filter((u) => u.role === 'CUSTOMER' && u.id !== customerId).map((u) => u.id),
          ...own.flatMap((t) => t.comments.edges.filter((e: any) => e.node.internal).map((e: any) => e.node.id)),
        ]),
        texts: new Set([
          ...users.filter((u) => u.role === 'CUSTOMER' && u.id !== customerId).map((u) => u.email),
          ...longTexts(othersTickets.map((t) => t.title)),
        ]),
      },
    };
    expect(f.foreign.globexAdmin.ids.size).toBeGreaterThan(50);
    expect(f.foreign.customer.ids.size).toBeGreaterThan(10);
  });
  afterAll(() => f?.server.close());

  it('every Query and Mutation field, and every Node type, has a case', () => {
    const fields = [...rootFields(schema.getQueryType()), ...rootFields(schema.getMutationType())].sort();
    expect(Object.keys(cases).sort()).toEqual(fields);
    expect(Object.keys(nodeCases).sort()).toEqual([...nodeTypes].sort());
    expect(fields.length).toBeGreaterThanOrEqual(18);
  });

  const entries = Object.entries(cases).flatMap(([field, byActor]) =>
    (['globexAdmin', 'customer'] as const).map(
      (actor) =>
        [
          field,
          actor === 'globexAdmin' ? 'another organization (admin@globex.test → acme)' : "another customer's ticket (customer@acme.test)",
          actor,
          byActor[actor],
        ] as const,
    ),
  );
  it.each(entries)('%s against %s', async (_field, _what, actor, run) => {
    await run(f, actor);
  });

  it('the seeded password still signs in (the login case above proves the guess, not the account, failed)', async () => {
    const ok = await f.server.gql('mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', {
      e: 'admin@acme.test',
      p: DEMO_PASSWORD,
    });
    expect(ok.body.data?.login.token).toEqual(expect.any(String));
  });
});
