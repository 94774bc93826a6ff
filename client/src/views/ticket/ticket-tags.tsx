import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql/index.ts';
import type { TicketRowFragment } from '../../gql/graphql.ts';
import { errorText, useNotify } from '../../ui/notices.tsx';

const AddTagsMutation = graphql(`
  mutation AddTags($input: TicketTagsInput!) {
    addTags(input: $input) {
      ticket {
        ...TicketRow
      }
    }
  }
`);

const RemoveTagsMutation = graphql(`
  mutation RemoveTags($input: TicketTagsInput!) {
    removeTags(input: $input) {
      ticket {
        ...TicketRow
      }
    }
  }
`);

export function TicketTags({ ticket, editable }: { ticket: TicketRowFragment; editable: boolean }) {
  const [, addTags] = useMutation(AddTagsMutation);
  const [, removeTags] = useMutation(RemoveTagsMutation);
  const [name, setName] = useState('');
  const notify = useNotify();

  async function add(event: FormEvent) {
    event.preventDefault();
    const names = name
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (!names.length) return;
    setName('');
    const result = await addTags({ input: { ticketId: ticket.id, names } });
    if (result.error) notify(`Could not tag #${ticket.number}: ${errorText(result.error)}`, 'error');
  }
  async function remove(tag: string) {
    const result = await removeTags({ input: { ticketId: ticket.id, names: [tag] } });
    if (result.error) notify(`Could not remove the tag ${tag}: ${errorText(result.error)}`, 'error');
  }

  return (
    <div className="tags">
      <ul aria-label="Tags">
        {ticket.tags.map((tag) => (
          <li key={tag.id} className="tag">
            {tag.name}
            {editable && (
              <button type="button" className="link" onClick={() => void remove(tag.name)} aria-label={`Remove tag ${tag.name}`}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {editable && (
        <form onSubmit={(event) => void add(event)} className="add-tag">
          <label htmlFor="add-tag">Add tags</label>
          <input id="add-tag" value={name} maxLength={200} placeholder="billing, urgent" onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="secondary">
            Add
          </button>
        </form>
      )}
    </div>
  );
}
