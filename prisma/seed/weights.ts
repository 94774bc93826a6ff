// Weighted choices over precomputed running sums, so that drawing 100,000 comments onto 20,000 tickets
// (or a requester among thousands of customers) is a binary search each rather than a scan.
import type { Random } from './random.ts';

/** Index i with cumulative[i-1] <= r < cumulative[i]. */
export function searchCumulative(cumulative: Float64Array | number[], r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > r) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function cumulativeOf(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => {
    sum += w;
    out[i] = sum;
  });
  return out;
}

/** One of items, drawn with the weights whose running sums are cumulative; one draw from rng. */
export function drawCumulative<T>(items: readonly T[], cumulative: Float64Array, rng: Random): T {
  return items[searchCumulative(cumulative, rng.next() * cumulative.at(-1)!)]!;
}

/** Splits total into integer parts proportional to weights, each at least min (largest remainder). */
export function apportion(total: number, weights: readonly number[], min: number): number[] {
  const rest = total - min * weights.length;
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (rest * w) / sum);
  const parts = quotas.map((q) => min + Math.floor(q));
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => ({ i, frac: q - Math.floor(q) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k]!.i]! += 1;
  return parts;
}
