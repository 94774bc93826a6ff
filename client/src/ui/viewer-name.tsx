// Who is signed in, as the header shows it, from the server: checks the token at start (an expired
// one ends the session) and puts the viewer in the cache, where optimistic comments find their author.
// A chunk of its own (the header shows the session's copy until it arrives): its query brings the
// generated documents, which the entry does without.
import { useQuery } from 'urql';
import { ViewerQuery } from '../fragments.ts';
import type { Session } from '../session.ts';

export default function ViewerName({ session }: { session: Session }) {
  const [{ data }] = useQuery({ query: ViewerQuery, requestPolicy: 'cache-and-network' });
  const viewer = data?.viewer;
  return (
    <>
      {viewer?.name ?? session.user.name} · {viewer?.organization.name ?? session.user.organization.name}
    </>
  );
}
