// Two small SVG charts (bars and lines). A chart library would add tens of KB to the chunks that draw
// these few shapes; each chart also carries a text alternative listing its values.
export interface Bar {
  label: string;
  value: number;
}

export function BarChart({ title, bars, unit = '' }: { title: string; bars: Bar[]; unit?: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rowHeight = 26;
  const labelWidth = 120;
  const width = 420;
  const summary = bars.map((b) => `${b.label}: ${format(b.value)}${unit}`).join(', ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={`${title}. ${summary}`} viewBox={`0 0 ${width} ${bars.length * rowHeight}`} width="100%">
        {bars.map((bar, i) => {
          const w = ((width - labelWidth - 60) * bar.value) / max;
          return (
            <g key={bar.label} transform={`translate(0 ${i * rowHeight})`}>
              <text x={labelWidth - 8} y={17} textAnchor="end" className="chart-label">
                {bar.label}
              </text>
              <rect x={labelWidth} y={5} width={Math.max(w, bar.value > 0 ? 2 : 0)} height={rowHeight - 10} className="chart-bar" rx={2} />
              <text x={labelWidth + w + 6} y={17} className="chart-value">
                {format(bar.value)}
                {unit}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

export interface Series {
  name: string;
  points: (number | null)[];
}

export function LineChart({ title, series, unit = '', max: fixedMax }: { title: string; series: Series[]; unit?: string; max?: number }) {
  const width = 420;
  const height = 140;
  const pad = 28;
  const left = 48; // room for the axis labels ("1,073")
  const values = series.flatMap((s) => s.points.filter((p): p is number => p != null));
  const max = fixedMax ?? Math.max(1e-9, ...values) * 1.1;
  const length = Math.max(2, ...series.map((s) => s.points.length));
  const x = (i: number) => left + ((width - left - pad) * i) / (length - 1);
  const y = (v: number) => height - pad - ((height - pad * 2) * v) / max;
  const latest = series.map((s) => `${s.name} ${format(s.points.at(-1) ?? null)}${unit}`).join(', ');
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={`${title}, latest: ${latest}`} viewBox={`0 0 ${width} ${height}`} width="100%">
        <line x1={left} y1={height - pad} x2={width - pad} y2={height - pad} className="chart-axis" />
        <text x={left - 6} y={pad} textAnchor="end" className="chart-label">
          {format(max)}
        </text>
        <text x={left - 6} y={height - pad} textAnchor="end" className="chart-label">
          0
        </text>
        {series.map((s, si) => {
          const path = s.points
            .map((p, i) => (p == null ? null : `${x(i)},${y(p)}`))
            .filter(Boolean)
            .join(' ');
          return <polyline key={s.name} points={path} className={`chart-line chart-line-${si}`} fill="none" />;
        })}
      </svg>
      <ul className="chart-legend">
        {series.map((s, si) => (
          <li key={s.name}>
            <span className={`swatch chart-line-${si}`} aria-hidden="true" />
            {s.name}: {format(s.points.at(-1) ?? null)}
            {unit}
          </li>
        ))}
      </ul>
    </figure>
  );
}

function format(value: number | null): string {
  if (value == null || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return Number(value.toPrecision(3)).toString();
}
