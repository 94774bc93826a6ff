// The hit stage's request memo: found again only for the same client, request text and viewer object,
// so a viewer the token cache looked up again (its role may have changed) is worked out afresh.
import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../identity/viewer.ts';
import { RequestMemo } from './request-memo.ts';

const agent = (): Viewer => ({ userId: 7, organizationId: 1, role: 'AGENT' });

describe('request memo', () => {
  it('finds what was worked out for the same viewer object only', () => {
    const memo = new RequestMemo<string>(100, 10_000);
    const viewer = agent();
    expect(memo.get('web', 'documentId=a', viewer)).toBeUndefined();
    memo.set('web', 'documentId=a', viewer, 'staff:1');
    expect(memo.get('web', 'documentId=a', viewer)).toBe('staff:1');
    expect(memo.misses).toBe(1);

    // The same user looked up again (a new object: after the token cache's minute, or a logout) …
    const again: Viewer = { ...viewer, role: 'CUSTOMER' };
    expect(memo.get('web', 'documentId=a', again)).toBeUndefined();
    // … and the same text for another client or without a viewer are other requests.
    expect(memo.get('partner', 'documentId=a', viewer)).toBeUndefined();
    expect(memo.get('web', 'documentId=a', null)).toBeUndefined();
    expect(memo.misses).toBe(4);
    memo.set('web', 'documentId=a', again, 'user:7');
    expect([memo.get('web', 'documentId=a', viewer), memo.get('web', 'documentId=a', again)]).toEqual(['staff:1', 'user:7']);
    expect(memo.size).toBe(2);
  });

  it('forgets everything when it holds its bound of entries or of text', () => {
    const byCount = new RequestMemo<number>(3, 10_000);
    for (let i = 0; i < 3; i += 1) byCount.set('web', `t${i}`, null, i);
    expect(byCount.size).toBe(3);
    byCount.set('web', 't3', null, 3);
    expect(byCount.size).toBe(1);
    expect(byCount.get('web', 't0', null)).toBeUndefined();
    expect(byCount.get('web', 't3', null)).toBe(3);

    const byText = new RequestMemo<number>(100, 10);
    byText.set('web', 'x'.repeat(6), null, 1);
    byText.set('web', 'x'.repeat(6), agent(), 2); // the same text is held once
    expect(byText.size).toBe(2);
    byText.set('web', 'y'.repeat(6), null, 3);
    expect(byText.size).toBe(1);
  });
});
