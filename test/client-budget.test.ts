// The web client's size budget, checked against the client/dist that global setup builds. A missing
// dist fails here (clientBudgetReport throws) instead of skipping: a budget that is never measured is
// no budget.
import { expect, test } from 'vitest';
import { clientBudgetReport, formatBudgetReport } from '../scripts/client-budget.ts';

test('the built web client is within its size budget', () => {
  const report = clientBudgetReport();
  // Printed on every run so that CI logs show how each chunk grows over time.
  console.log(formatBudgetReport(report));
  expect(
    report.rows.some((row) => row.kind === 'entry'),
    'the index.html entry chunk is measured',
  ).toBe(true);
  expect(report.violations.map((violation) => violation.message)).toEqual([]);
});
