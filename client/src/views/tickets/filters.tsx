import { useEffect, useState } from 'react';
import { useQuery } from 'urql';
import { graphql } from '../../gql/index.ts';
import type { TicketFilter, TicketOrder, TicketPriority, TicketStatus } from '../../gql/graphql.ts';
import { label, OPEN_STATUSES, PRIORITIES, STATUSES } from '../../labels.ts';

const TagsQuery = graphql(`
  query TagNames {
    tags {
      id
      name
    }
  }
`);

export interface ListFilters {
  status: 'open' | 'all' | TicketStatus;
  priority: 'any' | TicketPriority;
  assignee: 'anyone' | 'me' | 'unassigned';
  tag: string;
  search: string;
  sort: 'newest' | 'oldest' | 'updated' | 'priority';
}

export const DEFAULT_FILTERS: ListFilters = { status: 'open', priority: 'any', assignee: 'anyone', tag: '', search: '', sort: 'newest' };

const SORTS: Record<ListFilters['sort'], TicketOrder> = {
  newest: { field: 'CREATED_AT', direction: 'DESC' },
  oldest: { field: 'CREATED_AT', direction: 'ASC' },
  updated: { field: 'UPDATED_AT', direction: 'DESC' },
  priority: { field: 'PRIORITY', direction: 'DESC' },
};

/** The API's filter and order for what the controls say. */
export function toVariables(filters: ListFilters, viewerId: string): { filter: TicketFilter; orderBy: TicketOrder } {
  const filter: TicketFilter = {};
  if (filters.status === 'open') filter.status = OPEN_STATUSES;
  else if (filters.status !== 'all') filter.status = [filters.status];
  if (filters.priority !== 'any') filter.priority = [filters.priority];
  if (filters.assignee === 'me') filter.assigneeId = viewerId;
  if (filters.assignee === 'unassigned') filter.unassigned = true;
  if (filters.tag) filter.tag = filters.tag;
  if (filters.search.trim()) filter.search = filters.search.trim();
  return { filter, orderBy: SORTS[filters.sort] };
}

export function Filters({ value, onChange, staff }: { value: ListFilters; onChange(next: ListFilters): void; staff: boolean }) {
  const [{ data }] = useQuery({ query: TagsQuery, pause: !staff });
  const [search, setSearch] = useState(value.search);
  // Typing narrows the list after a pause, not on every key.
  useEffect(() => {
    if (search === value.search) return;
    const timer = setTimeout(() => onChange({ ...value, search }), 300);
    return () => clearTimeout(timer);
  }, [search, value, onChange]);
  const set = <K extends keyof ListFilters>(key: K, v: ListFilters[K]) => onChange({ ...value, [key]: v });
  return (
    <form className="filters" role="search" aria-label="Filter tickets" onSubmit={(e) => e.preventDefault()}>
      <label>
        Search
        <input type="search" value={search} placeholder="Title contains…" maxLength={200} onChange={(e) => setSearch(e.target.value)} />
      </label>
      <label>
        Status
        <select value={value.status} onChange={(e) => set('status', e.target.value as ListFilters['status'])}>
          <option value="open">Open (any open status)</option>
          <option value="all">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Priority
        <select value={value.priority} onChange={(e) => set('priority', e.target.value as ListFilters['priority'])}>
          <option value="any">Any</option>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {label(p)}
            </option>
          ))}
        </select>
      </label>
      {staff && (
        <label>
          Assignee
          <select value={value.assignee} onChange={(e) => set('assignee', e.target.value as ListFilters['assignee'])}>
            <option value="anyone">Anyone</option>
            <option value="me">Me</option>
            <option value="unassigned">Unassigned</option>
          </select>
        </label>
      )}
      {staff && (
        <label>
          Tag
          <select value={value.tag} onChange={(e) => set('tag', e.target.value)}>
            <option value="">Any</option>
            {data?.tags.map((t) => (
              <option key={t.id} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Sort
        <select value={value.sort} onChange={(e) => set('sort', e.target.value as ListFilters['sort'])}>
          <option value="newest">Newest first</option>
          <option value="oldest">Oldest first</option>
          <option value="updated">Recently updated</option>
          <option value="priority">Most urgent</option>
        </select>
      </label>
    </form>
  );
}
