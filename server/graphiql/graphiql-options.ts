// What GraphiQL opens with: a tab that signs in, the README's first query, and one tab per operation the
// web client ships (the trusted manifest), each with a header editor that says how to get a token.
// Outside production the demo accounts and their password are named; production names none.
import { Kind, parse, print, type DefinitionNode, type OperationDefinitionNode } from 'graphql';
import type { GraphiQLOptions } from 'graphql-yoga';
import { DEMO_ACCOUNTS, DEMO_PASSWORD } from '../../prisma/seed/demo-accounts.ts';
import type { PersistedConfig } from '../persisted/persisted-config.ts';
import type { NodeEnv } from '../platform/platform-config.ts';

/** Shipped operations beyond this many get no tab: a tab bar of dozens helps nobody, the Docs do. */
const MAX_OPERATION_TABS = 24;

type Tab = NonNullable<GraphiQLOptions['defaultTabs']>[number];

/** Yoga's GraphiQLOptions, and `variables`: its page passes it on to GraphiQL as initialVariables. */
export type PageOptions = GraphiQLOptions & { variables?: string };

export interface GraphiQLSettings {
  nodeEnv: NodeEnv;
  persistedMode: PersistedConfig['mode'];
}

/** The options of the bundled GraphiQL, for the manifest's documents as they are now. */
export function graphiqlOptions(settings: GraphiQLSettings, shipped: Iterable<string>): PageOptions {
  const demo = settings.nodeEnv !== 'production';
  const headers = headersTemplate(demo);
  // Ours are named SignIn and MyOpenTickets: a shipped operation of the same name would be a second tab of that title.
  const operations = shippedOperations(shipped)
    .filter((operation) => operation.name !== 'SignIn' && operation.name !== 'MyOpenTickets')
    .slice(0, MAX_OPERATION_TABS);
  const tabs: Tab[] = [
    signInTab(demo, settings.persistedMode, operations.length > 0),
    firstQueryTab(),
    ...operations.map((operation) => ({ query: operation.text, variables: operation.variables })),
  ];
  // Each tab keeps its own headers; `headers` is what a tab opened with + starts with. GraphiQL fills
  // the editors of the tab it opens on from `variables` and `headers`, not from the tab itself.
  return { title: 'deskgraph', defaultTabs: tabs.map((tab) => ({ ...tab, headers })), headers, variables: tabs[0]!.variables ?? undefined };
}

// GraphiQL's editors are narrow (about 56 characters show): the lines below keep to that.
function headersTemplate(demo: boolean): string {
  const agent = demoAgent();
  return [
    '{',
    '  // Run the SignIn tab, then put its token here',
    '  // (without the //). Each tab has its own headers.',
    ...(demo && agent ? [`  // Demo sign-in: ${agent} / ${DEMO_PASSWORD}`] : []),
    '  // "Authorization": "Bearer dg_…"',
    '}',
  ].join('\n');
}

function demoAgent(): string | undefined {
  return DEMO_ACCOUNTS.find((a) => a.role === 'AGENT')?.email;
}

function signInTab(demo: boolean, mode: PersistedConfig['mode'], shipped: boolean): Tab {
  const comments = [
    '# Start here: run SignIn (▶ or Ctrl-Enter), then copy',
    '# data.login.token into Headers (below) as',
    '#   "Authorization": "Bearer <token>"',
    shipped ? "# and run the other tabs: the README's first query," : "# and run the README's first query (next tab).",
    ...(shipped ? ['# then the operations the web client ships.'] : []),
    ...(demo
      ? [
          '#',
          `# Demo accounts, password "${DEMO_PASSWORD}" (see Variables):`,
          ...DEMO_ACCOUNTS.map((a) => `#   ${a.email.padEnd(21)} ${a.role.padEnd(9)} ${a.organizationSlug}`),
        ]
      : []),
    ...(mode === 'require'
      ? [
          '#',
          '# This server runs persisted operations only',
          '# (PERSISTED_OPERATIONS=require): the Docs work, but',
          '# documents sent from here get PERSISTED_QUERY_ONLY.',
        ]
      : []),
  ];
  const query = `${comments.join('\n')}
mutation SignIn($email: String!, $password: String!) {
  login(email: $email, password: $password) {
    token
    expiresAt
    user {
      name
      role
      organization {
        name
      }
    }
  }
}
`;
  const account = { email: (demo && demoAgent()) || '', password: demo ? DEMO_PASSWORD : '' };
  return { query, variables: JSON.stringify(account, null, 2) };
}

function firstQueryTab(): Tab {
  return {
    query: `# The README's first query. It needs a token in
# Headers: see the SignIn tab.
query MyOpenTickets {
  tickets(
    first: 10
    filter: { status: [OPEN, IN_PROGRESS] }
    orderBy: { field: PRIORITY, direction: DESC }
  ) {
    totalCount
    edges {
      node {
        number
        title
        priority
        requester { name }
        assignee { name }
        tags { name }
        comments(first: 3) {
          edges { node { body internal author { name } } }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`,
  };
}

interface ShippedOperation {
  name: string;
  kind: OperationDefinitionNode['operation'];
  text: string;
  variables: string | null;
}

/**
 * The manifest's named operations, queries first, each by name; the operation is printed before its
 * fragments (GraphiQL titles a tab after the first operation it finds). A later document of a name wins:
 * the manifest only grows while `npm run dev` rewrites it, so the last one is the current one.
 */
function shippedOperations(documents: Iterable<string>): ShippedOperation[] {
  const byName = new Map<string, ShippedOperation>();
  for (const text of documents) {
    const definitions = parse(text).definitions;
    const operation = definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const name = operation?.name?.value;
    if (!operation || !name) continue;
    const ordered: DefinitionNode[] = [operation, ...definitions.filter((d) => d !== operation)];
    byName.set(name, {
      name,
      kind: operation.operation,
      text: `${print({ kind: Kind.DOCUMENT, definitions: ordered })}\n`,
      variables: variablesTemplate(operation),
    });
  }
  const order = { query: 0, subscription: 1, mutation: 2 };
  return [...byName.values()].sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}

/** The operation's variables as commented lines (GraphiQL's editors read JSON with comments), or null when it has none. */
function variablesTemplate(operation: OperationDefinitionNode): string | null {
  const definitions = operation.variableDefinitions ?? [];
  if (definitions.length === 0) return null;
  const lines = definitions.map((d) => {
    const fallback = d.defaultValue ? ` (default ${print(d.defaultValue)})` : '';
    return `  // "${d.variable.name.value}": ${print(d.type)}${fallback}`;
  });
  return ['{', '  // Give values without the // (! = required):', ...lines, '}'].join('\n');
}
