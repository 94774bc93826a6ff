// The signed-in user's token, kept in localStorage so a reload (or an offline start) stays signed in.
// The token is the only secret the client holds; signing out revokes it on the server and forgets it.
import type { Role } from './gql/graphql.ts';

export interface Session {
  token: string;
  expiresAt: string;
  user: { id: string; name: string; role: Role; organization: { slug: string; name: string } };
}

const KEY = 'deskgraph.session';

export function loadSession(): Session | null {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Session | null;
    if (!session?.token || Date.parse(session.expiresAt) <= Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session): void {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function forgetSession(): void {
  localStorage.removeItem(KEY);
}

export const isStaff = (session: Session | null): boolean => session?.user.role === 'ADMIN' || session?.user.role === 'AGENT';
