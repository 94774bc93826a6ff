// Throughput on the hottest read, cache hits: autocannon per form (and per encoding and revalidation of
// the GET), each row in alternating slices, every response checked.
import { combineSlices, runChecked, type CheckedResult } from '../lib/load.ts';
import { counters, delta, scrape, type CacheCounters } from '../lib/metrics.ts';
import { toFixedRequest, type RawRequest } from '../lib/raw-http.ts';
import type { Instance } from '../lib/server.ts';
import { fmt, log, sleep } from '../lib/util.ts';
import type { Client } from './client.ts';
import { HOT, type BytesRow, type Form, type Operation, type ThroughputRow } from './model.ts';

export interface ThroughputSettings {
  duration: number;
  warmup: number;
  connections: number;
  rounds: number;
  /** Also measure (b) with the Origin header browsers add. */
  withOrigin: boolean;
}

interface Target {
  key: string;
  label: string;
  instance: Instance;
  which: 'require' | 'allow';
  request: RawRequest;
  check: (status: number, body: string, headers: Record<string, string>) => boolean;
  expectedResponseBytes: number;
}

function targets(client: Client, bytesRows: BytesRow[], hot: Operation, withOrigin: boolean): Target[] {
  const hotRow = (form: Form) => bytesRows.find((r) => r.operation === HOT && r.form === form)!;
  const identityCheck = (form: Form) => {
    const expected = hotRow(form).body.toString('utf8');
    return (status: number, body: string) => status === 200 && body === expected;
  };
  const { require, allow } = client;
  const postHashOnAllow: RawRequest = {
    ...client.requestOf('post-hash', hot),
    headers: [...client.agentHeaders(allow), ['content-type', 'application/json']],
  };
  const etag = hotRow('get-hash').identity.etag!;
  const brLength = String(hotRow('get-hash').brBody.length);
  const get = (extra: [string, string][]) => client.requestOf('get-hash', hot, extra);
  const list: Target[] = [
    {
      key: 'a',
      label: '(a) POST document',
      instance: allow,
      which: 'allow',
      request: client.requestOf('post-document', hot),
      check: identityCheck('post-document'),
      expectedResponseBytes: hotRow('post-document').identity.response,
    },
    {
      key: 'b',
      label: '(b) POST hash',
      instance: require,
      which: 'require',
      request: client.requestOf('post-hash', hot),
      check: identityCheck('post-hash'),
      expectedResponseBytes: hotRow('post-hash').identity.response,
    },
    {
      key: "b'",
      label: "(b') POST hash, control on (a)'s instance",
      instance: allow,
      which: 'allow',
      request: postHashOnAllow,
      check: identityCheck('post-hash'),
      expectedResponseBytes: hotRow('post-hash').identity.response,
    },
    {
      key: 'c',
      label: '(c) GET hash',
      instance: require,
      which: 'require',
      request: get([]),
      check: identityCheck('get-hash'),
      expectedResponseBytes: hotRow('get-hash').identity.response,
    },
    {
      key: 'd-br',
      label: '(d) GET hash, Accept-Encoding: br',
      instance: require,
      which: 'require',
      request: get([['accept-encoding', 'br']]),
      check: (status, _body, headers) => status === 200 && headers['content-encoding'] === 'br' && headers['content-length'] === brLength,
      expectedResponseBytes: hotRow('get-hash').br.response,
    },
    {
      key: 'd-304',
      label: '(d) GET hash, If-None-Match → 304',
      instance: require,
      which: 'require',
      request: get([['if-none-match', etag]]),
      check: (status, body) => status === 304 && body === '',
      expectedResponseBytes: hotRow('get-hash').notModified?.response ?? 0,
    },
  ];
  if (withOrigin) {
    list.push({
      key: 'b-origin',
      label: '(b) POST hash + Origin (as a browser sends it)',
      instance: require,
      which: 'require',
      request: client.requestOf('post-hash', hot, [['origin', `http://127.0.0.1:${require.port}`]]),
      check: identityCheck('post-hash'),
      expectedResponseBytes: hotRow('post-hash').identity.response,
    });
  }
  return list;
}

export async function measureThroughput(
  client: Client,
  bytesRows: BytesRow[],
  hot: Operation,
  settings: ThroughputSettings,
): Promise<ThroughputRow[]> {
  const { duration, warmup, connections, rounds } = settings;
  const list = targets(client, bytesRows, hot, settings.withOrigin);
  const slice = duration / rounds;
  log(
    `throughput: ${list.map((t) => t.key).join(', ')} — ${duration} s each in ${rounds} slice(s) of ${fmt(slice, 1)} s, order reversed every other round`,
  );
  if (warmup > 0)
    for (const t of list) await runChecked(t.instance.origin, toFixedRequest(t.request), t.check, { connections, duration: warmup });
  const parts = new Map<Target, CheckedResult[]>(list.map((t) => [t, []]));
  const caches = new Map<Target, CacheCounters[]>(list.map((t) => [t, []]));
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 === 0 ? list : [...list].reverse()) {
      const before = counters(await scrape(t.instance.origin));
      const result = await runChecked(t.instance.origin, toFixedRequest(t.request), t.check, { connections, duration: slice });
      await sleep(100); // requests autocannon dropped at the end are still counted by the server
      caches.get(t)!.push(delta(counters(await scrape(t.instance.origin)), before));
      parts.get(t)!.push(result);
      log(
        `  ${t.key.padEnd(8)} round ${round + 1}: ${fmt(result.rps, 0)} req/s, p99 ${fmt(result.p99, 0)} ms${result.mismatches ? `, ${result.mismatches} REFUSED: ${result.samples[0]}` : ''}`,
      );
    }
  }
  return list.map((t) => ({
    key: t.key,
    label: t.label,
    instance: t.which,
    load: combineChecked(parts.get(t)!),
    slices: parts.get(t)!.map((p) => p.rps),
    cache: sumCache(caches.get(t)!),
    expectedResponseBytes: t.expectedResponseBytes,
  }));
}

/** combineSlices, plus what a checked run adds: bytes per response (request-weighted), statuses, samples. */
function combineChecked(list: CheckedResult[]): CheckedResult {
  const requests = list.reduce((a, p) => a + p.requests, 0);
  const statusCodes: Record<string, number> = {};
  for (const p of list) for (const [k, v] of Object.entries(p.statusCodes)) statusCodes[k] = (statusCodes[k] ?? 0) + v;
  return {
    ...combineSlices(list),
    bytesPerResponse: list.reduce((a, p) => a + p.bytesPerResponse * p.requests, 0) / Math.max(1, requests),
    statusCodes,
    samples: list.flatMap((p) => p.samples).slice(0, 3),
  };
}

/** The slices' cache counters: the last slice's, with hits, misses, bypasses and hits by path summed. */
function sumCache(list: CacheCounters[]): CacheCounters {
  return list.reduce((a, c) => ({
    ...c,
    hits: a.hits + c.hits,
    misses: a.misses + c.misses,
    bypass: a.bypass + c.bypass,
    hitsByPath: {
      fast: (a.hitsByPath.fast ?? 0) + (c.hitsByPath.fast ?? 0),
      graphql: (a.hitsByPath.graphql ?? 0) + (c.hitsByPath.graphql ?? 0),
    },
  }));
}
