import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../prisma/seed/demo-accounts.ts';
import { schema } from '../../schema/index.ts';
import { CLIENT_MANIFEST } from '../persisted/persisted-config.ts';
import { graphiqlOptions } from './graphiql-options.ts';

const DEVELOPMENT = { nodeEnv: 'development', persistedMode: 'allow' } as const;

/** The title GraphiQL gives a tab: the name of the first operation on a line not starting with #. */
const title = (query: string | null) => /^(?!#).*(query|subscription|mutation)\s+([a-zA-Z0-9_]+)/m.exec(query ?? '')?.[2];

const shipped = Object.values(JSON.parse(readFileSync(CLIENT_MANIFEST, 'utf8')) as Record<string, string>);

describe('graphiqlOptions', () => {
  it('opens on SignIn and the first query, then one tab per shipped operation: queries, subscriptions, mutations', () => {
    const tabs = graphiqlOptions(DEVELOPMENT, shipped).defaultTabs!;
    const titles = tabs.map((tab) => title(tab.query));
    expect(titles.slice(0, 2)).toEqual(['SignIn', 'MyOpenTickets']);
    const names = shipped.map((document) => title(document)).filter((name) => name !== 'SignIn');
    expect(titles.slice(2).sort()).toEqual(names.sort());
    const order = { query: 0, subscription: 1, mutation: 2 };
    const kinds = tabs.slice(2).map((tab) => /^(query|subscription|mutation)/.exec(tab.query!)![1] as keyof typeof order);
    expect(kinds).toEqual([...kinds].sort((a, b) => order[a] - order[b]));
    expect(new Set(kinds)).toEqual(new Set(['query', 'subscription', 'mutation']));
  });

  it('every tab is a document the schema accepts', () => {
    for (const tab of graphiqlOptions(DEVELOPMENT, shipped).defaultTabs!) {
      expect(
        validate(schema, parse(tab.query!)).map((e) => e.message),
        tab.query!,
      ).toEqual([]);
    }
  });

  it("prints a shipped operation before its fragments, and its variables as a template GraphiQL's JSONC accepts", () => {
    const detail = graphiqlOptions(DEVELOPMENT, shipped).defaultTabs!.find((tab) => title(tab.query) === 'TicketDetail')!;
    expect(detail.query).toMatch(/^query TicketDetail\(/);
    expect(detail.query).toMatch(/\nfragment /);
    expect(detail.variables).toContain('// "id": ID!');
    // Comments only: the template is an empty object until the user fills it in.
    expect(detail.variables!.replace(/\/\/.*$/gm, '').replace(/\s/g, '')).toBe('{}');
  });

  it('leaves out shipped operations past 24 and documents without a named operation', () => {
    const many = Array.from({ length: 40 }, (_, i) => `query Op${String(i).padStart(2, '0')} { __typename }`);
    const tabs = graphiqlOptions(DEVELOPMENT, [...many, '{ __typename }', 'fragment F on Query { __typename }']).defaultTabs!;
    expect(tabs.map((tab) => title(tab.query))).toEqual(['SignIn', 'MyOpenTickets', ...many.slice(0, 24).map((q) => title(q))]);
  });

  it('a later document of the same name replaces the earlier one (npm run dev rewrites the manifest)', () => {
    const tabs = graphiqlOptions(DEVELOPMENT, ['query Tags { tags { id } }', 'query Tags { tags { id name } }']).defaultTabs!;
    expect(tabs).toHaveLength(3);
    expect(tabs[2]!.query).toContain('name');
  });

  it('names the demo accounts outside production, and no account or password in production', () => {
    const development = JSON.stringify(graphiqlOptions(DEVELOPMENT, shipped));
    expect(development).toContain('agent@acme.test');
    expect(development).toContain(DEMO_PASSWORD);
    const production = graphiqlOptions({ nodeEnv: 'production', persistedMode: 'allow' }, shipped);
    expect(JSON.stringify(production)).not.toMatch(/@acme\.test|@globex\.test/);
    expect(JSON.stringify(production)).not.toMatch(/Demo|password "/);
    expect(JSON.parse(production.variables!)).toEqual({ email: '', password: '' });
    expect(production.headers).toContain('"Authorization": "Bearer dg_…"');
  });

  it('says, in require mode, that documents sent from GraphiQL are refused', () => {
    const [signIn] = graphiqlOptions({ nodeEnv: 'production', persistedMode: 'require' }, shipped).defaultTabs!;
    expect(signIn!.query).toContain('PERSISTED_QUERY_ONLY');
    expect(graphiqlOptions(DEVELOPMENT, shipped).defaultTabs![0]!.query).not.toContain('PERSISTED_QUERY_ONLY');
  });
});
