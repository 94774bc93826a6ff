// The SVG next to the JSON: req/s per query on a log axis (four orders of magnitude between the N+1
// baseline and the ceiling), the mix, and the scaling run's p50.
import { machineLine, type Commit, type Machine } from '../lib/machine.ts';
import { barChart, COLORS, type Section } from '../lib/svg.ts';
import { QUERIES } from '../lib/queries.ts';
import { fmt } from '../lib/util.ts';
import type { Findings, Kind, MixRow, Row } from './model.ts';
import { ms, ratio } from './report.ts';
import type { Settings } from './settings.ts';

export interface ChartMeta {
  machine: Machine | null;
  commit: Commit;
  stamp: string;
  command: string;
}

const KIND_COLORS: Record<Kind, string> = {
  ceiling: COLORS.ceiling,
  naive: COLORS.naive,
  loaders: COLORS.loaders,
  cached: COLORS.cached,
  peer: COLORS.peer,
  'peer-cached': COLORS.peerCached,
};

const sql = (x: number | null) => (x == null ? '?' : fmt(x, 1));

function querySection(rows: Row[], query: (typeof QUERIES)[number]): Section {
  return {
    title: `${query.label} — requests/s (ratio to the ceiling · p99)`,
    unit: 'requests per second',
    scale: 'log',
    bars: rows
      .filter((r) => r.section === 'queries' && r.query === query.key)
      .map((r) => ({
        label: r.label,
        value: r.stats?.rps ?? null,
        text: r.stats
          ? `${fmt(r.stats.rps, 0)}/s · ${ratio(r.ratioCeiling)} · p99 ${ms(r.stats.p99)} ms · SQL ${sql(r.sqlPerRequest)}`
          : (r.skipped ?? r.failed ?? '—'),
        color: KIND_COLORS[r.kind],
      })),
  };
}

function mixSection(mixRows: MixRow[]): Section {
  return {
    title: 'the mix (90/10 read/write) — requests/s (ratio to naive · hit rate)',
    unit: 'requests per second',
    scale: 'log',
    bars: mixRows.map((m) => ({
      label: m.scenario.name.replace(/^mix: /, ''),
      value: m.load.rps,
      text: `${fmt(m.load.rps, 0)}/s · ${ratio(m.ratioNaive)} · ${m.hitRate == null ? 'no cache' : `hits ${fmt(m.hitRate * 100, 0)}%`} · SQL ${fmt(m.sqlPerRequest, 2)}`,
      color: m.scenario.naive ? COLORS.naive : m.scenario.cache === 'off' ? COLORS.loaders : COLORS.mix,
    })),
  };
}

function scalingSection(scaling: Row[]): Section {
  return {
    title: 'scaling: nested list, no cache — p50 latency by seed scale',
    unit: 'p50 latency, ms',
    scale: 'linear',
    bars: scaling.map((r) => ({
      label: `${r.target.startsWith('naive') ? 'naive' : 'loaders'} @ scale ${r.scale}`,
      value: r.stats?.p50 ?? null,
      text: r.stats
        ? `${ms(r.stats.p50)} ms (p99 ${ms(r.stats.p99)}) · ${fmt(r.stats.rps, 0)}/s · SQL ${sql(r.sqlPerRequest)}`
        : (r.failed ?? '—'),
      color: r.target.startsWith('naive') ? COLORS.naive : COLORS.scaling,
    })),
  };
}

export function renderChart(settings: Settings, { rows, mixRows }: Findings, meta: ChartMeta): string {
  const scaling = rows.filter((r) => r.section === 'scaling');
  const sections = QUERIES.map((query) => querySection(rows, query));
  if (mixRows.length) sections.push(mixSection(mixRows));
  if (scaling.length) sections.push(scalingSection(scaling));
  return barChart(
    `deskgraph benchmarks — ${meta.stamp}`,
    [
      `${settings.preset} preset, ${settings.duration} s per row, ${settings.connections} connections, seed scale ${settings.mainScale}; commit ${meta.commit.sha?.slice(0, 12) ?? '?'}${meta.commit.dirty.length ? ' + changes' : ''}`,
      ...(meta.machine ? machineLine(meta.machine).split('; ') : []),
      `reproduce: ${meta.command}`,
    ],
    sections,
  );
}
