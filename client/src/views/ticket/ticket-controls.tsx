import { useEffect, useState } from 'react';
import { useQuery, useMutation } from 'urql';
import { graphql } from '../../gql/index.ts';
import type { TicketRowFragment, UpdateTicketInput } from '../../gql/graphql.ts';
import { label, PRIORITIES, STATUSES } from '../../labels.ts';
import { errorText, useNotify } from '../../ui/notices.tsx';

const UpdateTicketMutation = graphql(`
  mutation UpdateTicket($input: UpdateTicketInput!) {
    updateTicket(input: $input) {
      ticket {
        ...TicketRow
      }
    }
  }
`);

// People come by name, customers included (the API has no role filter): pages of 100 are fetched until
// the end and merged by the cache, so every agent is offered however large the organization.
const AssigneesQuery = graphql(`
  query Assignees($after: String) {
    users(first: 100, after: $after) {
      edges {
        node {
          id
          name
          role
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

/** Status, priority and assignee; each change is optimistic (see urql/cache-config.ts). */
export function TicketControls({ ticket }: { ticket: TicketRowFragment }) {
  const [, update] = useMutation(UpdateTicketMutation);
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching }] = useQuery({ query: AssigneesQuery, variables: { after } });
  const pageInfo = data?.users.pageInfo;
  useEffect(() => {
    if (pageInfo?.hasNextPage && !fetching && pageInfo.endCursor) setAfter(pageInfo.endCursor);
  }, [pageInfo, fetching]);
  const notify = useNotify();
  const staff = data?.users.edges.map((e) => e.node).filter((u) => u.role !== 'CUSTOMER') ?? [];

  async function change(what: string, input: Omit<UpdateTicketInput, 'id'>) {
    const result = await update({ input: { id: ticket.id, ...input } });
    if (result.error)
      notify(`Could not change the ${what} of #${ticket.number}: ${errorText(result.error)} The change was undone.`, 'error');
  }

  return (
    <div className="controls">
      <label>
        Status
        <select value={ticket.status} onChange={(e) => void change('status', { status: e.target.value as TicketRowFragment['status'] })}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Priority
        <select
          value={ticket.priority}
          onChange={(e) => void change('priority', { priority: e.target.value as TicketRowFragment['priority'] })}
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {label(p)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Assignee
        <select value={ticket.assignee?.id ?? ''} onChange={(e) => void change('assignee', { assigneeId: e.target.value || null })}>
          <option value="">Unassigned</option>
          {ticket.assignee && !staff.some((u) => u.id === ticket.assignee!.id) && (
            <option value={ticket.assignee.id}>{ticket.assignee.name}</option>
          )}
          {staff.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
