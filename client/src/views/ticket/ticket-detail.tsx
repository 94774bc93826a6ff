// One ticket: its fields, the controls agents change it with (optimistic: the change shows at once and
// is undone with a message if the server refuses), its tags and its comments.
import { useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { Link } from 'wouter';
import { useSession } from '../../session-context.ts';
import { graphql } from '../../gql/index.ts';
import { label, shortDate } from '../../labels.ts';
import { isStaff } from '../../session.ts';
import { errorText } from '../../ui/notices.tsx';
import { Comments } from './comments.tsx';
import { TicketControls } from './ticket-controls.tsx';
import { TicketTags } from './ticket-tags.tsx';

const TicketDetailQuery = graphql(`
  query TicketDetail($id: ID!, $commentsAfter: String) {
    ticket(id: $id) {
      ...TicketRow
      body
      comments(first: 100, after: $commentsAfter) {
        edges {
          cursor
          node {
            ...CommentItem
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`);

// The same selection, live: the server sends the ticket as this viewer may see it (a customer never gets
// an internal note) now and on every change; graphcache normalizes it into the Ticket the query reads,
// the first page of comments included (same arguments, same cache field).
const TicketDetailLive = graphql(`
  subscription TicketDetailLive($id: ID!, $commentsAfter: String) {
    ticketChanged(id: $id) {
      ...TicketRow
      body
      comments(first: 100, after: $commentsAfter) {
        edges {
          cursor
          node {
            ...CommentItem
          }
        }
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
      }
    }
  }
`);

export default function TicketDetail({ id }: { id: string }) {
  const { session } = useSession();
  const staff = isStaff(session);
  // Comments come 100 at a time, oldest first; the cache merges the pages (relayPagination).
  const [commentsAfter, setCommentsAfter] = useState<string | null>(null);
  const [{ data, error, fetching }] = useQuery({
    query: TicketDetailQuery,
    variables: { id, commentsAfter },
    requestPolicy: 'cache-and-network',
  });
  useSubscription({ query: TicketDetailLive, variables: { id, commentsAfter: null } });
  const ticket = data?.ticket;
  if (!ticket) {
    return (
      <section className="ticket-detail" aria-busy={fetching}>
        {error ? (
          <p className="error" role="alert">
            {errorText(error)}
          </p>
        ) : fetching ? (
          <p role="status">Loading ticket…</p>
        ) : (
          <p>This ticket does not exist or is not yours to see.</p>
        )}
        <Link href="/tickets">Back to the list</Link>
      </section>
    );
  }
  return (
    <section className="ticket-detail" aria-labelledby="ticket-title">
      <Link href="/tickets" className="close" aria-label="Close ticket">
        ×
      </Link>
      <p className="meta">
        #{ticket.number} · filed by {ticket.requester.name} on {shortDate(ticket.createdAt)} · updated {shortDate(ticket.updatedAt)}
      </p>
      <h2 id="ticket-title">{ticket.title}</h2>
      {staff ? (
        <TicketControls ticket={ticket} />
      ) : (
        <p className="meta">
          <span className={`badge status-${ticket.status.toLowerCase()}`}>{label(ticket.status)}</span> · {label(ticket.priority)} ·{' '}
          {ticket.assignee?.name ?? 'Unassigned'}
        </p>
      )}
      <TicketTags ticket={ticket} editable={staff} />
      <div className="ticket-body">{ticket.body}</div>
      <Comments
        ticketId={ticket.id}
        comments={ticket.comments.edges.map((e) => e.node)}
        count={ticket.commentCount}
        onMore={ticket.comments.pageInfo.hasNextPage ? () => setCommentsAfter(ticket.comments.pageInfo.endCursor ?? null) : null}
      />
    </section>
  );
}
