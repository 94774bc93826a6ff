import { useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useLocation } from 'wouter';
import { graphql } from '../../gql/index.ts';
import type { TicketPriority } from '../../gql/graphql.ts';
import { label, PRIORITIES } from '../../labels.ts';
import { errorText, useNotify } from '../../ui/notices.tsx';
import { ticketPath } from './ticket-list.tsx';
import { useSession } from '../../session-context.ts';
import { isStaff } from '../../session.ts';

const CreateTicketMutation = graphql(`
  mutation CreateTicket($input: CreateTicketInput!) {
    createTicket(input: $input) {
      ticket {
        ...TicketRow
        body
      }
    }
  }
`);

export function NewTicket() {
  const dialog = useRef<HTMLDialogElement>(null);
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [priority, setPriority] = useState<TicketPriority>('MEDIUM');
  const [result, create] = useMutation(CreateTicketMutation);
  const notify = useNotify();
  const [, navigate] = useLocation();
  const staff = isStaff(useSession().session);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const { data, error } = await create({ input: { title: title.trim(), body, ...(staff ? { priority } : {}) } });
    if (error || !data) return;
    dialog.current?.close();
    setTitle('');
    setBody('');
    notify(`Ticket #${data.createTicket.ticket.number} filed.`);
    navigate(ticketPath(data.createTicket.ticket.id));
  }

  return (
    <>
      <button type="button" onClick={() => dialog.current?.showModal()}>
        New ticket
      </button>
      <dialog ref={dialog} aria-labelledby="new-ticket-title" className="new-ticket">
        <form onSubmit={(event) => void submit(event)}>
          <h2 id="new-ticket-title">New ticket</h2>
          <label htmlFor="new-title">Title</label>
          <input id="new-title" required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} />
          <label htmlFor="new-body">Description</label>
          <textarea id="new-body" rows={5} maxLength={50_000} value={body} onChange={(e) => setBody(e.target.value)} />
          {staff && (
            <>
              <label htmlFor="new-priority">Priority</label>
              <select id="new-priority" value={priority} onChange={(e) => setPriority(e.target.value as TicketPriority)}>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {label(p)}
                  </option>
                ))}
              </select>
            </>
          )}
          {result.error && (
            <p className="error" role="alert">
              {errorText(result.error)}
            </p>
          )}
          <div className="actions">
            <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" disabled={result.fetching}>
              File ticket
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
