import { useMutation } from 'urql';
import { graphql } from '../../gql/index.ts';
import type { TicketStatus } from '../../gql/graphql.ts';
import { label, STATUSES } from '../../labels.ts';
import { errorText, useNotify } from '../../ui/notices.tsx';

const BulkUpdateMutation = graphql(`
  mutation BulkUpdateTickets($input: BulkUpdateTicketsInput!) {
    bulkUpdateTickets(input: $input) {
      tickets {
        ...TicketRow
      }
    }
  }
`);

/** One status for every selected ticket, in one statement on the server, all or nothing. */
export function BulkBar({ ids, onDone }: { ids: string[]; onDone(): void }) {
  const [, bulkUpdate] = useMutation(BulkUpdateMutation);
  const notify = useNotify();
  async function apply(status: TicketStatus) {
    onDone();
    const result = await bulkUpdate({ input: { ids, status } });
    if (result.error) notify(`Could not change ${ids.length} tickets: ${errorText(result.error)} Nothing was changed.`, 'error');
    else notify(`${ids.length} tickets set to ${label(status)}.`);
  }
  return (
    <div className="bulk-bar" role="region" aria-label="Change selected tickets">
      <span>{ids.length} selected</span>
      <label>
        Set status
        <select value="" onChange={(e) => e.target.value && void apply(e.target.value as TicketStatus)}>
          <option value="">Choose…</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="secondary" onClick={onDone}>
        Clear selection
      </button>
    </div>
  );
}
