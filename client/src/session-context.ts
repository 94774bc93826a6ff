// Who is signed in, for any view: App provides it, views read it. A module of its own so that views,
// which App loads lazily, do not import App back.
import { createContext, useContext } from 'react';
import type { Session } from './session.ts';

export interface SessionApi {
  session: Session | null;
  signIn(session: Session): void;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionApi>({ session: null, signIn() {}, async signOut() {} });
export const useSession = () => useContext(SessionContext);
