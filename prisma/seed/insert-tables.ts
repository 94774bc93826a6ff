// Writes the planned world table by table, parents before children. The order is also the order of the
// progress reports callers see (organizations, users, tags, tickets, ticketTags, comments).
import { chunkedInserter, type Tx } from './bulk-insert.ts';
import { COMMENT_COLUMNS, ORGANIZATION_COLUMNS, TAG_COLUMNS, TICKET_COLUMNS, TICKET_TAG_COLUMNS, USER_COLUMNS } from './columns.ts';
import { commentRows, commentTotal } from './comment-rows.ts';
import { organizationRow, tagRow, userRow } from './organization-rows.ts';
import type { Plan } from './plan.ts';
import type { SeedCounts, SeedProgress } from './progress.ts';
import { ticketRow, ticketTagRows } from './ticket-rows.ts';
import { SEED_TAGS } from './topics.ts';

export async function insertAll(
  tx: Tx,
  plan: Plan,
  seed: number,
  passwordHash: string,
  onProgress: ((progress: SeedProgress) => void) | undefined,
): Promise<SeedCounts> {
  const insert = chunkedInserter(tx, onProgress);
  const { orgs, users: people, tickets: t } = plan;
  const organizations = await insert('organizations', 'Organization', ORGANIZATION_COLUMNS, orgs.length, (i, emit) =>
    emit(organizationRow(plan, i)),
  );
  const users = await insert('users', 'User', USER_COLUMNS, people.length, (i, emit) => emit(userRow(plan, i, passwordHash)));
  const tags = await insert('tags', 'Tag', TAG_COLUMNS, orgs.length * SEED_TAGS.length, (i, emit) => emit(tagRow(plan, i)));
  const tickets = await insert('tickets', 'Ticket', TICKET_COLUMNS, t.count, (i, emit) => emit(ticketRow(plan, seed, i)));
  const ticketTags = await insert(
    'ticketTags',
    'TicketTag',
    TICKET_TAG_COLUMNS,
    t.count,
    (i, emit) => ticketTagRows(plan, i, emit),
    plan.ticketTagCount,
  );
  const comments = await insert('comments', 'Comment', COMMENT_COLUMNS, t.count, commentRows(plan, seed), commentTotal(plan));
  return { organizations, users, apiTokens: 0, tags, tickets, ticketTags, comments };
}
