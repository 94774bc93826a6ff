// Small SVG charts (bars and lines). A chart library would add tens of KB to the chunks that draw these
// few shapes. Each chart draws at its element's own width (one SVG unit = one CSS px, so text stays
// 12px from a phone to a desktop), reserves room for its labels from their estimated width, cuts labels
// that would take more than their share with an ellipsis (the full text in a <title>), and carries a
// text alternative listing its values.
import { textWidth, fitText } from './charts/text-width.ts';
import { useWidth } from './charts/use-width.ts';

export interface Bar {
  label: string;
  value: number;
}

const ROW = 26;
const GAP = 8;

export function BarChart({
  title,
  bars,
  unit = '',
  empty = 'Nothing to show.',
  className,
}: {
  title: string;
  bars: Bar[];
  unit?: string;
  /** Shown instead of the bars when there are none. */
  empty?: string;
  className?: string;
}) {
  const [ref, width] = useWidth<HTMLElement>(420);
  const max = Math.max(1, ...bars.map((b) => b.value));
  const values = bars.map((b) => `${format(b.value)}${unit}`);
  // Labels take what they need, up to 45% of the width; values what the longest needs.
  const labelRoom = Math.min(Math.max(0, ...bars.map((b) => textWidth(b.label))), Math.floor(width * 0.45));
  const valueRoom = Math.max(0, ...values.map(textWidth)) + GAP;
  const barRoom = Math.max(10, width - labelRoom - GAP - valueRoom);
  const summary = bars.map((b, i) => `${b.label}: ${values[i]}`).join(', ');
  return (
    <figure className={className ? `chart ${className}` : 'chart'} ref={ref}>
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="chart-empty">{empty}</p>
      ) : (
        <svg role="img" aria-label={`${title}. ${summary}`} viewBox={`0 0 ${width} ${bars.length * ROW}`} width="100%">
          {bars.map((bar, i) => {
            const w = (barRoom * bar.value) / max;
            const shown = fitText(bar.label, labelRoom);
            return (
              <g key={`${bar.label} ${i}`} transform={`translate(0 ${i * ROW})`}>
                <text x={labelRoom} y={17} textAnchor="end" className="chart-label">
                  {shown !== bar.label && <title>{bar.label}</title>}
                  {shown}
                </text>
                <rect x={labelRoom + GAP} y={5} width={Math.max(w, bar.value > 0 ? 2 : 0)} height={ROW - 10} className="chart-bar" rx={2} />
                <text x={labelRoom + GAP + w + 6} y={17} className="chart-value">
                  {values[i]}
                </text>
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

export interface Series {
  name: string;
  points: (number | null)[];
}

export function LineChart({
  title,
  series,
  unit = '',
  max: fixedMax,
  xLabels,
  legend = 'latest',
  className,
}: {
  title: string;
  series: Series[];
  unit?: string;
  max?: number;
  /** A label per point; the first, middle and last are drawn under the axis. */
  xLabels?: string[];
  /** What the legend shows beside each series' name: its latest point or the sum of its points. */
  legend?: 'latest' | 'total';
  className?: string;
}) {
  const [ref, width] = useWidth<HTMLElement>(420);
  const height = 150;
  const top = 10;
  const values = series.flatMap((s) => s.points.filter((p): p is number => p != null));
  const max = fixedMax ?? niceMax(Math.max(0, ...values));
  const ticks = xLabels ? [0, Math.floor((xLabels.length - 1) / 2), xLabels.length - 1] : [];
  const tickText = ticks.map((i) => xLabels?.[i] ?? '');
  // Room for the y labels on the left, and for half of the last x label on the right.
  const left = textWidth(format(max)) + GAP;
  const right = Math.max(8, Math.ceil(textWidth(tickText.at(-1) ?? '') / 2) + 2);
  const bottom = xLabels ? 22 : 6;
  const length = Math.max(2, ...series.map((s) => s.points.length));
  const x = (i: number) => left + ((width - left - right) * i) / (length - 1);
  const y = (v: number) => height - bottom - ((height - bottom - top) * v) / (max || 1);
  const figure = (s: Series) => (legend === 'total' ? s.points.reduce<number>((sum, p) => sum + (p ?? 0), 0) : (s.points.at(-1) ?? null));
  const described = series.map((s) => `${s.name} ${format(figure(s))}${unit}`).join(', ');
  return (
    <figure className={className ? `chart ${className}` : 'chart'} ref={ref}>
      <figcaption>{title}</figcaption>
      <svg role="img" aria-label={`${title}, ${legend}: ${described}`} viewBox={`0 0 ${width} ${height}`} width="100%">
        <line x1={left} y1={y(0)} x2={width - right} y2={y(0)} className="chart-axis" />
        <line x1={left} y1={y(max)} x2={width - right} y2={y(max)} className="chart-grid-line" />
        <text x={left - 6} y={y(max) + 4} textAnchor="end" className="chart-label">
          {format(max)}
        </text>
        <text x={left - 6} y={y(0) + 4} textAnchor="end" className="chart-label">
          0
        </text>
        {ticks.map((i, k) => (
          <text key={i} x={x(i)} y={height - 6} textAnchor={k === 0 ? 'start' : 'middle'} className="chart-label">
            {tickText[k]}
          </text>
        ))}
        {series.map((s, si) => {
          const path = s.points
            .map((p, i) => (p == null ? null : `${x(i)},${y(p)}`))
            .filter(Boolean)
            .join(' ');
          // A point with no neighbour draws no line: a dot shows it.
          const alone = s.points.flatMap((p, i) => (p != null && s.points[i - 1] == null && s.points[i + 1] == null ? [i] : []));
          return (
            <g key={s.name} className={`chart-line-${si}`}>
              <polyline points={path} className={`chart-line chart-line-${si}`} fill="none" />
              {alone.map((i) => (
                <circle key={i} cx={x(i)} cy={y(s.points[i]!)} r={3} className="chart-dot" />
              ))}
            </g>
          );
        })}
      </svg>
      <ul className="chart-legend">
        {series.map((s, si) => (
          <li key={s.name}>
            <span className={`swatch chart-line-${si}`} aria-hidden="true" />
            {s.name}: {format(figure(s))}
            {unit}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** A round axis maximum a little above the data: 1, 2, 5 × a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function format(value: number | null): string {
  if (value == null || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return Number(value.toPrecision(3)).toString();
}
