// A GraphQL-over-SSE client for tests (the graphql-sse protocol, distinct connections): one POST per
// subscription, read event by event as a browser's fetch would. Each `next` event's data is a result.
export interface SseResult {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface SseSubscription {
  status: number;
  headers: Headers;
  /** The next result; rejects after timeoutMs, or when the stream completed or broke first. */
  next(timeoutMs?: number): Promise<SseResult>;
  /** Resolves true when the server sent `complete` (or the stream ended), false when nothing came within timeoutMs. */
  completed(timeoutMs?: number): Promise<boolean>;
  /** Every result received so far, taken or not. */
  readonly received: SseResult[];
  /** Comment lines (keep-alives) received so far. */
  readonly comments: number;
  /** The client goes away: the connection is aborted. */
  close(): void;
}

export async function subscribe(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string | null,
  headers: Record<string, string> = {},
): Promise<SseSubscription> {
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const received: SseResult[] = [];
  const queue: SseResult[] = [];
  let comments = 0;
  let ended = false;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };

  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments += 1;
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
          }
          if (event === 'next') {
            const result = JSON.parse(data) as SseResult;
            received.push(result);
            queue.push(result);
          } else if (event === 'complete') ended = true;
          notify();
        }
      }
    } catch (error) {
      if (!abort.signal.aborted) failure = error;
    }
    ended = true;
    notify();
  })();

  const waitFor = async (ready: () => boolean, timeoutMs: number): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, left);
      });
    }
    return true;
  };

  return {
    status: response.status,
    headers: response.headers,
    received,
    get comments() {
      return comments;
    },
    async next(timeoutMs = 5000) {
      await waitFor(() => queue.length > 0 || ended, timeoutMs);
      const result = queue.shift();
      if (result) return result;
      if (failure) throw failure;
      throw new Error(ended ? 'the subscription completed without another result' : `no result within ${timeoutMs} ms`);
    },
    completed: (timeoutMs = 5000) => waitFor(() => ended && queue.length === 0, timeoutMs),
    close: () => abort.abort(),
  };
}
