// The operations the checker sends. Each has its text (sent as a plain POST) and, where the web client
// ships one with the same variables and a result the checker can read the same way, that client's
// trusted document (sent by hash, GET or POST): the server knows it in every persisted-operations mode.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Operation {
  name: string;
  text: string;
  mutation: boolean;
  /** The web client's document of that name, when its variables and result fit. */
  clientDocument?: string;
}

const TICKET_FIELDS = 'id title status priority assignee { id } requester { id } tags { name }';

const op = (name: string, text: string, clientDocument?: string): Operation => ({
  name,
  text,
  mutation: text.startsWith('mutation'),
  clientDocument,
});

export const OPERATIONS = {
  login: op(
    'Login',
    'mutation Login($email: String!, $password: String!) { login(email: $email, password: $password) { token user { id role } } }',
  ),
  ticket: op(
    'CheckTicket',
    `query CheckTicket($id: ID!) { ticket(id: $id) { ${TICKET_FIELDS} commentCount comments(first: 100) { edges { node { id body internal } } } } }`,
    'TicketDetail',
  ),
  node: op('CheckNode', `query CheckNode($id: ID!) { node(id: $id) { id ... on Ticket { ${TICKET_FIELDS} } } }`),
  list: op(
    'CheckList',
    `query CheckList($filter: TicketFilter, $first: Int!) { tickets(filter: $filter, first: $first) { totalCount edges { node { ${TICKET_FIELDS} } } } }`,
    'TicketList',
  ),
  dashboard: op(
    'CheckDashboard',
    'query CheckDashboard($days: Int!) { dashboardStats { openByPriority { priority count } firstResponse(days: $days) { responded } } }',
    'Dashboard',
  ),
  createTicket: op(
    'CheckCreate',
    `mutation CheckCreate($input: CreateTicketInput!) { createTicket(input: $input) { ticket { ${TICKET_FIELDS} } } }`,
    'CreateTicket',
  ),
  addTags: op(
    'CheckAddTags',
    `mutation CheckAddTags($input: TicketTagsInput!) { addTags(input: $input) { ticket { ${TICKET_FIELDS} } } }`,
    'AddTags',
  ),
  updateTicket: op(
    'CheckUpdate',
    `mutation CheckUpdate($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { ${TICKET_FIELDS} } } }`,
    'UpdateTicket',
  ),
  bulkUpdateTickets: op(
    'CheckBulkUpdate',
    `mutation CheckBulkUpdate($input: BulkUpdateTicketsInput!) { bulkUpdateTickets(input: $input) { tickets { ${TICKET_FIELDS} } } }`,
    'BulkUpdateTickets',
  ),
  addComment: op(
    'CheckComment',
    'mutation CheckComment($input: AddCommentInput!) { addComment(input: $input) { comment { id body internal } } }',
    'AddComment',
  ),
} satisfies Record<string, Operation>;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT_MANIFEST = path.join(ROOT, 'client/src/gql/persisted-documents.json');

/** Operation name → document hash (`sha256:<hex>`) of the web client's manifest. */
export function loadClientHashes(manifestPath = CLIENT_MANIFEST): Map<string, string> {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
  const hashes = new Map<string, string>();
  for (const [hash, text] of Object.entries(manifest)) {
    const name = /\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)/.exec(text)?.[1];
    if (name) hashes.set(name, hash);
  }
  return hashes;
}
