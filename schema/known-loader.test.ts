// KnownLoader: primed rows answer at once; everything else is DataLoader's behaviour.
import { describe, expect, it } from 'vitest';
import { KnownLoader, whenKnown } from './known-loader.ts';

function counting() {
  const batches: number[][] = [];
  const loader = new KnownLoader<number, string>(async (keys) => {
    batches.push([...keys]);
    return keys.map((k) => `loaded ${k}`);
  });
  return { loader, batches };
}

describe('KnownLoader', () => {
  it('answers a primed key without a promise and without a batch; other keys load in one batch', async () => {
    const { loader, batches } = counting();
    loader.prime(1, 'primed 1');
    expect(loader.get(1)).toBe('primed 1');
    await expect(loader.load(1)).resolves.toBe('primed 1');
    const two = loader.get(2);
    const three = loader.get(3);
    expect(two).toBeInstanceOf(Promise);
    expect(await Promise.all([two, three])).toEqual(['loaded 2', 'loaded 3']);
    expect(batches).toEqual([[2, 3]]);
  });

  it('never lets a prime replace what a load asked for, and forgets a cleared key', async () => {
    const { loader, batches } = counting();
    const asked = loader.load(4);
    loader.prime(4, 'primed 4');
    expect(await asked).toBe('loaded 4');
    await expect(Promise.resolve(loader.get(4))).resolves.toBe('loaded 4');
    loader.prime(5, 'first');
    loader.prime(5, 'second');
    expect(loader.get(5)).toBe('first');
    loader.clear(5);
    await expect(Promise.resolve(loader.get(5))).resolves.toBe('loaded 5');
    loader.clear(5).prime(5, 'after clear');
    expect(loader.get(5)).toBe('after clear');
    loader.clearAll();
    expect(loader.get(5)).toBeInstanceOf(Promise);
    await loader.get(5);
    expect(batches).toEqual([[4], [5], [5]]);
  });

  it('uses the cache key function for what it knows, as DataLoader does', () => {
    const loader = new KnownLoader<{ id: number }, string, number>(async (keys) => keys.map((k) => String(k.id)), {
      cacheKeyFn: (k) => k.id,
    });
    loader.prime({ id: 7 }, 'seven');
    expect(loader.get({ id: 7 })).toBe('seven');
  });

  it('whenKnown applies a function now to a value, later to a promise', async () => {
    expect(whenKnown(2, (n) => n * 10)).toBe(20);
    await expect(whenKnown(Promise.resolve(3), (n) => n * 10)).resolves.toBe(30);
  });
});
