// The ticket list: cursor pages of 100 merged by the cache (relayPagination), drawn through a
// virtualizer so only the rows in view exist in the DOM however many are loaded (each row measured:
// titles wrap, on a narrow screen the row's details too), and the next page is
// asked for as the end comes into view. Arrow keys, Home/End and Page Up/Down move through the rows.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useQuery, useSubscription } from 'urql';
import { Link, useLocation } from 'wouter';
import { TicketListQuery } from '../../fragments.ts';
import { graphql } from '../../gql/index.ts';
import type { TicketFilter, TicketOrder, TicketRowFragment } from '../../gql/graphql.ts';
import { label, shortDate } from '../../labels.ts';
import { errorText } from '../../ui/notices.tsx';

// The list's first page, live: each result replaces that page in the cache (cache-config.ts), so rows
// change, join, leave and move as the server sees them. Later pages keep what they were loaded with.
const TicketListLive = graphql(`
  subscription TicketListLive($filter: TicketFilter, $orderBy: TicketOrder, $first: Int!) {
    ticketsChanged(filter: $filter, orderBy: $orderBy, first: $first) {
      totalCount
      edges {
        cursor
        node {
          ...TicketRow
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
`);

/** Also the live first page's size: the cache replaces the query's first page with the subscription's (cache-config.ts). */
const PAGE_SIZE = 100;
/** A row on one line (styles.css gives .row this min-height); a wrapped title makes it taller, measured. */
const ROW_HEIGHT = 56;

export const ticketPath = (id: string) => `/tickets/${encodeURIComponent(id)}`;

interface Props {
  filter: TicketFilter;
  orderBy: TicketOrder;
  selectedId: string | null;
  /** Staff pick rows for bulk changes. */
  selection: Set<string> | null;
  onSelectionChange(next: Set<string>): void;
}

export function TicketList({ filter, orderBy, selectedId, selection, onSelectionChange }: Props) {
  const [after, setAfter] = useState<string | null>(null);
  const variablesKey = JSON.stringify([filter, orderBy]);
  useEffect(() => setAfter(null), [variablesKey]);
  const [{ data, error, fetching }] = useQuery({
    query: TicketListQuery,
    variables: { filter, orderBy, first: PAGE_SIZE, after },
    requestPolicy: 'cache-and-network',
  });
  useSubscription({ query: TicketListLive, variables: { filter, orderBy, first: PAGE_SIZE } });
  const connection = data?.tickets;
  const rows = useMemo(() => connection?.edges.map((edge) => edge.node) ?? [], [connection]);
  const hasNext = connection?.pageInfo.hasNextPage ?? false;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length + (hasNext ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  // Ask for the next page when the end is near and nothing is in flight.
  useEffect(() => {
    if (hasNext && !fetching && lastIndex >= rows.length - 20 && connection?.pageInfo.endCursor) {
      setAfter(connection.pageInfo.endCursor);
    }
  }, [hasNext, fetching, lastIndex, rows.length, connection]);

  const [active, setActive] = useState(0);
  const [, navigate] = useLocation();
  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    // The row exists once the virtualizer has drawn it.
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-index="${next}"] a`)?.focus());
  };
  function onKeyDown(event: KeyboardEvent) {
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: rows.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      focusRow(moves[event.key]!);
    } else if (event.key === 'Enter' && (event.target as HTMLElement).tagName !== 'A' && rows[active]) {
      navigate(ticketPath(rows[active]!.id));
    }
  }

  const toggle = (id: string) => {
    if (!selection) return;
    const next = new Set(selection);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    onSelectionChange(next);
  };

  return (
    <section className="ticket-list" aria-labelledby="ticket-list-title">
      <div className="list-header">
        <h1 id="ticket-list-title">Tickets</h1>
        <span className="count" aria-live="polite">
          {connection ? `${rows.length.toLocaleString('en')} of ${connection.totalCount.toLocaleString('en')}` : fetching ? 'Loading…' : ''}
        </span>
      </div>
      {error && !connection && (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      )}
      {connection && rows.length === 0 && <p className="empty">No tickets match these filters.</p>}
      <div className="list-scroller" ref={scroller} onKeyDown={onKeyDown} aria-busy={fetching}>
        <div role="list" aria-label="Tickets" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const ticket = rows[item.index];
            return (
              <div
                key={ticket?.id ?? 'more'}
                role="listitem"
                data-index={item.index}
                aria-setsize={connection?.totalCount}
                aria-posinset={item.index + 1}
                ref={virtualizer.measureElement}
                className={`row${ticket && ticket.id === selectedId ? ' selected' : ''}`}
                style={{ position: 'absolute', top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
              >
                {ticket ? (
                  <Row
                    ticket={ticket}
                    focusable={item.index === active}
                    onFocus={() => setActive(item.index)}
                    selected={selection?.has(ticket.id) ?? null}
                    onToggle={() => toggle(ticket.id)}
                  />
                ) : (
                  <span className="loading-more">Loading more…</span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

function Row({
  ticket,
  focusable,
  onFocus,
  selected,
  onToggle,
}: {
  ticket: TicketRowFragment;
  focusable: boolean;
  onFocus(): void;
  selected: boolean | null;
  onToggle(): void;
}) {
  return (
    <>
      {selected !== null && (
        <input
          type="checkbox"
          className="row-check"
          checked={selected}
          onChange={onToggle}
          tabIndex={-1}
          aria-label={`Select ticket ${ticket.number}`}
        />
      )}
      <Link href={ticketPath(ticket.id)} className="row-link" tabIndex={focusable ? 0 : -1} onFocus={onFocus}>
        <span className="row-number">#{ticket.number}</span>
        <span className="row-title">{ticket.title}</span>
        <span className={`badge status-${ticket.status.toLowerCase()}`}>{label(ticket.status)}</span>
        <span className={`priority priority-${ticket.priority.toLowerCase()}`}>{label(ticket.priority)}</span>
        <span className="row-assignee">{ticket.assignee?.name ?? 'Unassigned'}</span>
        <span className="row-comments" title="Comments">
          <svg viewBox="0 0 16 16" width="13" height="13" aria-hidden="true">
            <path d="M2 3h12v8H7l-3 3v-3H2z" fill="currentColor" />
          </svg>{' '}
          {ticket.commentCount}
          <span className="visually-hidden"> comments</span>
        </span>
        <span className="row-date">{shortDate(ticket.updatedAt)}</span>
      </Link>
    </>
  );
}
