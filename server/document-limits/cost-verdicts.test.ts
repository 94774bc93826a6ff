import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { CostVerdicts } from './cost-verdicts.ts';
import { operationCost } from './query-cost.ts';

const limits = { maxCost: 10_000, maxPageSize: 100 };

describe('cost verdicts', () => {
  it('walk once per document for variables the estimator does not read', () => {
    const costs = new CostVerdicts(limits);
    const document = parse('query T($id: ID!) { ticket(id: $id) { id title comments(first: 5) { edges { node { id } } } } }');
    for (const id of ['VGlja2V0OjE=', 'VGlja2V0OjI=', 'VGlja2V0OjM=']) expect(costs.check(schema, document, { id }, 'T')).toBeNull();
    expect(costs.walks).toBe(1);
  });

  it('walk again for each page size, @skip condition and ids list, and give each its own verdict', () => {
    const costs = new CostVerdicts(limits);
    const document = parse(`query L($n: Int, $m: Int, $hide: Boolean!, $ids: [ID!]!) {
      tickets(first: $n) { edges { node { id comments(first: $m) @skip(if: $hide) { edges { node { id body } } } } } }
      nodes(ids: $ids) { id }
    }`);
    const ask = (n: number, m: number, hide = false, ids = ['VGlja2V0OjE=']) => costs.check(schema, document, { n, m, hide, ids }, 'L');
    expect(ask(10, 10)).toBeNull();
    expect(ask(10, 10)).toBeNull();
    expect(costs.walks).toBe(1);
    const refused = ask(100, 100);
    expect(refused?.extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(ask(100, 100, true)).toBeNull(); // the costly part skipped
    expect(ask(10, 10, false, ['VGlja2V0OjE=', 'VGlja2V0OjI='])).toBeNull();
    expect(costs.walks).toBe(4);
    // the same refusal again, from memory, as a fresh error each time
    const again = ask(100, 100);
    expect(costs.walks).toBe(4);
    expect(again).not.toBe(refused);
    expect(again?.message).toBe(refused?.message);
    expect(again?.message).toContain(
      `estimated cost is ${operationCost({ schema, document, variables: { n: 100, m: 100, hide: false, ids: ['VGlja2V0OjE='] }, operationName: 'L', maxPageSize: 100 })}`,
    );
  });

  it('page sizes in fragments count, and a page size over the maximum is refused whatever was kept', () => {
    const costs = new CostVerdicts(limits);
    const document = parse(
      'query F($n: Int) { tickets(first: 1) { edges { node { ...C } } } } fragment C on Ticket { comments(first: $n) { edges { node { id } } } }',
    );
    expect(costs.check(schema, document, { n: 5 }, 'F')).toBeNull();
    expect(costs.check(schema, document, { n: 101 }, 'F')?.extensions.code).toBe('BAD_USER_INPUT');
    expect(costs.walks).toBe(2);
  });

  it('leave variables that do not fit to execution, without walking', () => {
    const costs = new CostVerdicts(limits);
    const document = parse('query P($n: Int) { tickets(first: $n) { edges { node { id } } } }');
    expect(costs.check(schema, document, { n: 'many' }, 'P')).toBeNull();
    expect(costs.walks).toBe(0);
  });
});
