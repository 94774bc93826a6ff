// A hand-written SVG of horizontal bar charts, one panel per section (no dependency, no script): what
// `npm run bench` writes next to its JSON. Throughput spans four orders of magnitude between the N+1
// baseline and the bare server, so panels can use a log axis.

interface Bar {
  label: string;
  /** null: no bar (skipped), the text alone is shown. */
  value: number | null;
  /** Printed after the bar. */
  text: string;
  color: string;
}

export interface Section {
  title: string;
  /** The axis' unit, shown under the panel. */
  unit: string;
  scale: 'log' | 'linear';
  bars: Bar[];
}

export const COLORS = {
  ceiling: '#8c8c8c',
  naive: '#d62728',
  loaders: '#1f77b4',
  cached: '#2ca02c',
  peer: '#ff7f0e',
  peerCached: '#bcbd22',
  mix: '#9467bd',
  scaling: '#17becf',
} as const;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const WIDTH = 1120;
const LABEL = 300;
const PLOT = 440;
const BAR = 16;
const GAP = 6;

function axis(section: Section): { pos: (v: number) => number; ticks: { x: number; label: string }[] } {
  const values = section.bars.map((b) => b.value).filter((v): v is number => v != null && v > 0);
  const max = Math.max(1, ...values);
  if (section.scale === 'log') {
    const lo = Math.floor(Math.log10(Math.max(1, Math.min(...values, max))));
    const hi = Math.ceil(Math.log10(max * 1.0001));
    const span = Math.max(1, hi - lo);
    const pos = (v: number) => (v <= 0 ? 0 : Math.max(2, ((Math.log10(v) - lo) / span) * PLOT));
    const ticks = Array.from({ length: span + 1 }, (_, i) => ({ x: (i / span) * PLOT, label: (10 ** (lo + i)).toLocaleString('en-US') }));
    return { pos, ticks };
  }
  const step = 10 ** Math.floor(Math.log10(max));
  const top = Math.ceil(max / step) * step;
  const pos = (v: number) => Math.max(2, (v / top) * PLOT);
  const n = Math.round(top / step);
  const ticks = Array.from({ length: n + 1 }, (_, i) => ({
    x: (i / n) * PLOT,
    label: (i * step).toLocaleString('en-US', { maximumFractionDigits: 3 }),
  }));
  return { pos, ticks };
}

export function barChart(title: string, subtitle: string[], sections: Section[]): string {
  const parts: string[] = [];
  let y = 28;
  parts.push(`<text x="16" y="${y}" class="title">${escape(title)}</text>`);
  for (const line of subtitle) {
    y += 18;
    parts.push(`<text x="16" y="${y}" class="sub">${escape(line)}</text>`);
  }
  y += 20;
  for (const section of sections) {
    y += 24;
    parts.push(`<text x="16" y="${y}" class="section">${escape(section.title)}</text>`);
    y += 10;
    const { pos, ticks } = axis(section);
    const top = y;
    const height = section.bars.length * (BAR + GAP);
    for (const tick of ticks) {
      const x = LABEL + tick.x;
      parts.push(`<line x1="${x.toFixed(1)}" y1="${top}" x2="${x.toFixed(1)}" y2="${top + height}" class="grid"/>`);
      parts.push(`<text x="${x.toFixed(1)}" y="${top + height + 13}" class="tick">${escape(tick.label)}</text>`);
    }
    for (const bar of section.bars) {
      const cy = y + BAR - 4;
      parts.push(`<text x="${LABEL - 8}" y="${cy}" class="label">${escape(bar.label)}</text>`);
      if (bar.value != null && bar.value > 0) {
        const w = pos(bar.value);
        parts.push(`<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${bar.color}"/>`);
        parts.push(`<text x="${(LABEL + w + 6).toFixed(1)}" y="${cy}" class="value">${escape(bar.text)}</text>`);
      } else {
        parts.push(`<text x="${LABEL + 6}" y="${cy}" class="value skipped">${escape(bar.text)}</text>`);
      }
      y += BAR + GAP;
    }
    y += 16;
    parts.push(
      `<text x="${LABEL + PLOT / 2}" y="${y + 10}" class="unit">${escape(section.unit)}${section.scale === 'log' ? ' (log scale)' : ''}</text>`,
    );
    y += 14;
  }
  y += 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>',
    '.title{font-size:17px;font-weight:600}.sub{font-size:12px;fill:#555}.section{font-size:14px;font-weight:600}',
    '.label{font-size:12px;text-anchor:end}.value{font-size:11px;fill:#222}.skipped{fill:#999;font-style:italic}',
    '.tick{font-size:10px;fill:#777;text-anchor:middle}.unit{font-size:11px;fill:#555;text-anchor:middle}.grid{stroke:#e3e3e3;stroke-width:1}',
    '</style>',
    `<rect width="${WIDTH}" height="${y}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
