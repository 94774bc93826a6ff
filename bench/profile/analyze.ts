// Reading a V8 .cpuprofile (what `node --cpu-prof` writes): only the samples taken while the load ran,
// each attributed to a category (the innermost frame whose file belongs to a known part of the stack)
// and to the function it was in. Percentages are of busy samples: idle samples are left out.
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock process.hrtime uses (CLOCK_MONOTONIC on Linux). */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Share {
  name: string;
  samples: number;
  /** % of the busy samples of the window. */
  percent: number;
}

export interface Breakdown {
  /** Samples in the window, idle included. */
  windowSamples: number;
  busySamples: number;
  /** Samples of the whole profile (start-up, warm-up and shutdown included). */
  totalSamples: number;
  categories: Share[];
  topSelf: Share[];
}

type Rule = [RegExp, string];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// First match wins, tried on each frame from the innermost outwards: a sample in a native or
// anonymous frame (Array.prototype.map, a graphql-jit compiled function) goes to whoever called it.
function rules(root: string): Rule[] {
  const ours = escape(pathToFileURL(root).href);
  return [
    [
      new RegExp(
        `node_modules/(@prisma/(client|client-runtime-utils|adapter-pg|driver-adapter-utils)|pglite-prisma-adapter)/|^wasm:|^${ours}/prisma/`,
      ),
      'Prisma client (query plan, mapping, adapter)',
    ],
    [/node_modules\/(pg|pg-protocol|pg-pool|pg-types|pg-connection-string|postgres-[a-z]+)\//, 'pg driver (protocol, parsing rows)'],
    [/node_modules\/(graphql-jit|@envelop\/graphql-jit|fast-json-stringify|ajv)\//, 'graphql-jit execution'],
    [/node_modules\/graphql\//, 'graphql-js (parse, validate)'],
    [/node_modules\/(@pothos\/[^/]+|dataloader)\//, 'Pothos resolvers + DataLoader'],
    [new RegExp(`^${ours}/schema/`), 'deskgraph schema/ (resolvers, loaders, pagination)'],
    [
      /node_modules\/(graphql-yoga|@envelop\/[^/]+|@whatwg-node\/[^/]+|@graphql-yoga\/[^/]+|@graphql-tools\/[^/]+|@escape\.tech\/[^/]+|graphql-query-complexity|@repeaterjs\/[^/]+)\//,
      'yoga + envelop + fetch adapter',
    ],
    [new RegExp(`^${ours}/(server|identity)/`), 'deskgraph server/ (HTTP, plugins, cache, limits)'],
    [
      /node_modules\/(prom-client|pino|pino-std-serializers|sonic-boom|rate-limiter-flexible|lru-cache|ioredis)\//,
      'metrics, logging, limiter libs',
    ],
    [/^node:(internal\/)?async_hooks$/, 'AsyncLocalStorage promise hooks'],
    [/^node:internal\/modules\/|node_modules\/(tsx|esbuild)\//, 'start-up (module loading)'],
  ];
}

// Samples whose own frame is one of V8's pseudo-functions.
const NATIVE: Record<string, string | null> = {
  '(idle)': null,
  '(garbage collector)': 'garbage collection',
  '(program)': 'V8/Node native (other)',
};
// StreamBase's native writes: the time is the kernel's (the write syscall, loopback TCP included). The
// driver's writes to PostgreSQL are told apart from the responses by the pg frames below them.
const SOCKET_WRITES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String']);
const CLIENT_WRITE = 'socket writes to clients (syscall)';
const PG_WRITE = 'socket writes to PostgreSQL (syscall)';
const OTHER = 'Node http/net/streams and other';

/** Where a frame's code lives, short: a package name, a path in the repository, or node:…. */
function placeOf(url: string, ourPrefix: string): string {
  if (!url) return '(native)';
  const inPackage = url.lastIndexOf('node_modules/');
  if (inPackage >= 0) return url.slice(inPackage + 'node_modules/'.length);
  if (url.startsWith(ourPrefix)) return url.slice(ourPrefix.length);
  return url.replace(/^file:\/\//, '');
}

/** The window [fromUs, toUs] in process.hrtime microseconds; samples outside it are not counted. */
export function breakdown(profile: CpuProfile, root: string, fromUs: number, toUs: number, top: number): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ruleList = rules(root);
  const ourPrefix = `${pathToFileURL(root).href}/`;
  const stackMatches = (id: number, re: RegExp) => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) if (re.test(byId.get(cur)!.callFrame.url)) return true;
    return false;
  };
  const categoryOf = new Map<number, string | null>();
  const categorize = (id: number): string | null => {
    const known = categoryOf.get(id);
    if (known !== undefined) return known;
    const fn = byId.get(id)!.callFrame.functionName;
    let category: string | null | undefined = Object.hasOwn(NATIVE, fn) ? NATIVE[fn] : undefined;
    if (SOCKET_WRITES.has(fn)) category = stackMatches(id, ruleList[1]![0]) ? PG_WRITE : CLIENT_WRITE;
    for (let cur: number | undefined = id; category === undefined && cur !== undefined; cur = parent.get(cur)) {
      const url = byId.get(cur)!.callFrame.url;
      category = ruleList.find(([re]) => re.test(url))?.[1];
    }
    const result = category === undefined ? OTHER : category;
    categoryOf.set(id, result);
    return result;
  };
  const categories = new Map<string, number>();
  const self = new Map<string, number>();
  let windowSamples = 0;
  let busySamples = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) return;
    windowSamples += 1;
    const category = categorize(id);
    if (category === null) return;
    busySamples += 1;
    categories.set(category, (categories.get(category) ?? 0) + 1);
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    // tsx compiles each of our files to one line: their line numbers say nothing.
    const line = url.startsWith(ourPrefix) ? '' : `:${lineNumber + 1}`;
    const key = url ? `${functionName || '(anonymous)'} ${placeOf(url, ourPrefix)}${line}` : functionName || '(anonymous)';
    self.set(key, (self.get(key) ?? 0) + 1);
  });
  const shares = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .map(([name, samples]) => ({ name, samples, percent: busySamples ? (100 * samples) / busySamples : 0 }));
  return {
    windowSamples,
    busySamples,
    totalSamples: profile.samples.length,
    categories: shares(categories),
    topSelf: shares(self).slice(0, top),
  };
}
