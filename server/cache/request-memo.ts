// What the cache-hit stage worked out for a request it saw before: for one client, one raw request text
// (a GET's query string or a POST's body) and one viewer, the response key and what goes with it. Most
// hits repeat a few requests, so this skips parsing the JSON, canonicalizing variables and hashing on
// the hot path.
//
// Keyed by the viewer object the token → viewer cache holds (server/auth/viewer-cache.ts), not by its
// user id: the key's scope was worked out from that object's role and organization, and a viewer the
// token cache looked up again (after its minute, or after an invalidation) is another object, so what
// was worked out for the old one is never used for it. The memo holds no data, only keys: an entry that
// was invalidated is missed in L1 and L2 whatever the memo says.
import type { Viewer } from '../../identity/viewer.ts';

export class RequestMemo<T> {
  private readonly byClient = new Map<string, Map<string, Map<Viewer | null, T>>>();
  private count = 0;
  private chars = 0;
  /** Requests worked out rather than found here: for tests and diagnostics. */
  misses = 0;

  /**
   * @param max entries held, and maxChars the length of the request texts they are held for (a POST body
   * may be 64 KB): reaching either forgets them all (they are only worked out again).
   */
  constructor(
    private readonly max: number,
    private readonly maxChars: number,
  ) {}

  /** Three map lookups (the client, the text, the viewer object): no key is built per request. */
  get(client: string, text: string, viewer: Viewer | null): T | undefined {
    const known = this.byClient.get(client)?.get(text)?.get(viewer);
    if (known === undefined) this.misses += 1;
    return known;
  }

  set(client: string, text: string, viewer: Viewer | null, value: T): void {
    const newText = !this.byClient.get(client)?.has(text);
    if (this.count >= this.max || (newText && this.chars + text.length > this.maxChars)) {
      this.byClient.clear();
      this.count = 0;
      this.chars = 0;
    }
    let byText = this.byClient.get(client);
    if (!byText) this.byClient.set(client, (byText = new Map()));
    let byViewer = byText.get(text);
    if (!byViewer) {
      byText.set(text, (byViewer = new Map()));
      this.chars += text.length;
    }
    if (!byViewer.has(viewer)) this.count += 1;
    byViewer.set(viewer, value);
  }

  get size(): number {
    return this.count;
  }
}
