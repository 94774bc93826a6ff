// Short messages about what just happened ("the change was undone: …"), announced to screen readers.
import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';

interface Notice {
  id: number;
  text: string;
  kind: 'error' | 'info';
}

const NoticeContext = createContext<(text: string, kind?: Notice['kind']) => void>(() => {});

export function useNotify() {
  return useContext(NoticeContext);
}

let nextId = 1;

export function NoticeProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const notify = useCallback(
    (text: string, kind: Notice['kind'] = 'info') => {
      const id = nextId++;
      setNotices((all) => [...all.slice(-3), { id, text, kind }]);
      setTimeout(() => dismiss(id), kind === 'error' ? 10_000 : 4_000);
    },
    [dismiss],
  );
  return (
    <NoticeContext.Provider value={notify}>
      {children}
      <div className="notices" role="status" aria-live="polite">
        {notices.map((n) => (
          <div key={n.id} className={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : undefined}>
            <span>{n.text}</span>
            <button type="button" className="link" onClick={() => dismiss(n.id)} aria-label="Dismiss message">
              ×
            </button>
          </div>
        ))}
      </div>
    </NoticeContext.Provider>
  );
}

/** The message of an urql error, without urql's "[GraphQL]" prefixes, as sentences (notices go on after it). */
export function errorText(error: { graphQLErrors?: { message: string }[]; networkError?: Error; message: string }): string {
  if (error.graphQLErrors?.length)
    return error.graphQLErrors.map((e) => (/[.!?]$/.test(e.message) ? e.message : `${e.message}.`)).join(' ');
  if (error.networkError) return 'The server could not be reached.';
  return error.message;
}
