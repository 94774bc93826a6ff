import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { useSession } from '../../session-context.ts';
import { graphql } from '../../gql/index.ts';
import type { CommentItemFragment } from '../../gql/graphql.ts';
import { shortDate } from '../../labels.ts';
import { isStaff } from '../../session.ts';
import { errorText, useNotify } from '../../ui/notices.tsx';

const AddCommentMutation = graphql(`
  mutation AddComment($input: AddCommentInput!) {
    addComment(input: $input) {
      comment {
        ...CommentItem
      }
      ticket {
        id
        commentCount
        updatedAt
      }
    }
  }
`);

const DeleteCommentMutation = graphql(`
  mutation DeleteComment($id: ID!) {
    deleteComment(id: $id) {
      deletedCommentId
      ticket {
        id
        commentCount
        updatedAt
      }
    }
  }
`);

interface Props {
  ticketId: string;
  comments: CommentItemFragment[];
  count: number;
  /** Loads the next 100; null when all are shown. */
  onMore: (() => void) | null;
}

export function Comments({ ticketId, comments, count, onMore }: Props) {
  const { session } = useSession();
  const staff = isStaff(session);
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(false);
  const [, addComment] = useMutation(AddCommentMutation);
  const [, deleteComment] = useMutation(DeleteCommentMutation);
  const notify = useNotify();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const text = body.trim();
    if (!text) return;
    setBody('');
    // Optimistic: the comment shows at once (and waits in the offline queue when there is no network).
    const result = await addComment({ input: { ticketId, body: text, internal: staff && internal } });
    if (result.error) {
      setBody(text);
      notify(`Could not add the comment: ${errorText(result.error)}`, 'error');
    }
  }
  async function remove(id: string) {
    const result = await deleteComment({ id });
    if (result.error) notify(`Could not delete the comment: ${errorText(result.error)}`, 'error');
  }

  return (
    <section className="comments" aria-labelledby="comments-title">
      <h3 id="comments-title">Comments ({count})</h3>
      <ol>
        {comments.map((c) => (
          <li key={c.id} className={c.internal ? 'comment internal' : 'comment'}>
            <p className="meta">
              <strong>{c.author.name}</strong> · {shortDate(c.createdAt)}
              {c.internal && <span className="badge">Internal</span>}
              {(c.author.id === session?.user.id || session?.user.role === 'ADMIN') && !c.id.startsWith('optimistic-') && (
                <button type="button" className="link" onClick={() => void remove(c.id)} aria-label={`Delete comment by ${c.author.name}`}>
                  Delete
                </button>
              )}
            </p>
            <p className="comment-body">{c.body}</p>
          </li>
        ))}
      </ol>
      {onMore && (
        <button type="button" className="secondary" onClick={onMore}>
          Show more comments
        </button>
      )}
      <form onSubmit={(event) => void submit(event)} className="add-comment">
        <label htmlFor="comment-body">Add a comment</label>
        <textarea id="comment-body" rows={3} maxLength={20_000} required value={body} onChange={(e) => setBody(e.target.value)} />
        <div className="actions">
          {staff && (
            <label className="inline">
              <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> Internal note
            </label>
          )}
          <button type="submit">Comment</button>
        </div>
      </form>
    </section>
  );
}
