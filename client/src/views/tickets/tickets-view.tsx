// /tickets and /tickets/:id: the list, and beside it the open ticket, so a change made in one shows in
// the other at once (both read the same normalized ticket).
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { useSession } from '../../session-context.ts';
import { isStaff } from '../../session.ts';
import { BulkBar } from './bulk-bar.tsx';
import { DEFAULT_FILTERS, Filters, toVariables, type ListFilters } from './filters.tsx';
import { NewTicket } from './new-ticket.tsx';
import { TicketList } from './ticket-list.tsx';

const TicketDetail = lazy(() => import('../ticket/ticket-detail.tsx'));

export default function TicketsView({ params }: { params: { id?: string } }) {
  const { session } = useSession();
  const staff = isStaff(session);
  const [filters, setFilters] = useState<ListFilters>(DEFAULT_FILTERS);
  const [selection, setSelection] = useState<Set<string>>(() => new Set());
  const { filter, orderBy } = useMemo(() => toVariables(filters, session!.user.id), [filters, session]);
  const onFilters = useCallback((next: ListFilters) => {
    setFilters(next);
    setSelection(new Set());
  }, []);
  const id = params.id ? decodeURIComponent(params.id) : null;
  return (
    <div className={id ? 'tickets split' : 'tickets'}>
      <div className="tickets-main">
        <div className="toolbar">
          <Filters value={filters} onChange={onFilters} staff={staff} />
          <NewTicket />
        </div>
        {staff && selection.size > 0 && <BulkBar ids={[...selection]} onDone={() => setSelection(new Set())} />}
        <TicketList
          filter={filter}
          orderBy={orderBy}
          selectedId={id}
          selection={staff ? selection : null}
          onSelectionChange={setSelection}
        />
      </div>
      {id && (
        <Suspense
          fallback={
            <p className="loading" role="status">
              Loading ticket…
            </p>
          }
        >
          <TicketDetail key={id} id={id} />
        </Suspense>
      )}
    </div>
  );
}
