// Revoking the token on sign-out, loaded when the user signs out: its mutation brings the generated
// documents, which the entry does without.
import type { Client } from '@urql/core';
import { graphql } from './gql/index.ts';

const SignOutMutation = graphql(`
  mutation SignOut {
    logout
  }
`);

/** Revokes the session's token; a failure (offline, say) is ignored: the session ends anyway. */
export async function revokeToken(client: Client): Promise<void> {
  await client
    .mutation(SignOutMutation, {})
    .toPromise()
    .catch(() => undefined);
}
