// HAProxy in front of the instances: round robin for GraphQL over HTTP, health checks on /ready (what a
// production load balancer asks), and what the live streams need: long timeouts, and for the
// single-connection protocol at /graphql/stream the same instance for every request of one client.
// npm run bench starts the same configuration (bench/run/proxies.ts) without the stream routing and
// without a log line per request.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRunning, spawnDetached, stopProcess, tail, TopologyError, waitUntil, type Owned } from './processes.ts';
import type { TopologyState } from './state.ts';

/** The response header naming the instance that answered (tests and curl -i use it to see the balancing). */
export const SERVED_BY_HEADER = 'x-served-by';

/** One HAProxy in front of some instances: where it listens, its stats page, the instances. */
export interface ProxySpec {
  port: number;
  statsPort: number;
  servers: { name: string; port: number }[];
}

export interface ConfigOptions {
  /** The sticky backends of /graphql/stream (the topology: yes; a benchmark of GraphQL over HTTP: no). */
  streams: boolean;
  /** One log line per request (the topology: yes; a benchmark would measure the logging too). */
  requestLog: boolean;
}

/** Health checks: every CHECK_INTERVAL_MS; FALL failures take an instance out, RISE successes bring it back. */
const CHECK_INTERVAL_MS = 1000;
const FALL = 2;
const RISE = 2;

/**
 * How long a stopping instance must stay in service with /ready at 503 (SHUTDOWN_DELAY_MS) for HAProxy to
 * take it out first: FALL failed checks, plus one interval for the check already under way.
 */
export const LEAVE_ROTATION_MS = CHECK_INTERVAL_MS * (FALL + 1);

const TOPOLOGY_OPTIONS: ConfigOptions = { streams: true, requestLog: true };

const streamRouting = `  acl single_connection path_beg /graphql/stream
  # A single-connection stream lives in one instance's memory, and its PUT, GET, POSTs and DELETEs all
  # carry the Authorization it was reserved with: hashing that header sends them to the same instance.
  use_backend deskgraph_sticky if single_connection { req.hdr(authorization) -m found }
  use_backend deskgraph_by_address if single_connection
`;

const streamBackends = (servers: string) => `
# /graphql/stream: the stream itself is one long response, and its POSTs are short.
backend deskgraph_sticky
  balance hdr(authorization)
  hash-type consistent
  timeout server 1h
${servers}

# /graphql/stream without a credential: the client's address is what its requests have in common.
backend deskgraph_by_address
  balance source
  hash-type consistent
  timeout server 1h
${servers}
`;

function haproxyConfig(proxy: ProxySpec, options: ConfigOptions): string {
  const servers = (check: (name: string) => string) =>
    proxy.servers.map((instance) => `  server ${instance.name} 127.0.0.1:${instance.port} ${check(instance.name)}`).join('\n');
  // The sticky backends share the round-robin backend's health checks instead of running their own.
  const tracked = (name: string) => `track deskgraph_round_robin/${name}`;
  return `# Written by scripts/topology/haproxy.ts (npm run topology, npm run bench); rewritten on every start.
global
  log stdout format raw local0 info
  maxconn 4096

defaults
  mode http
${options.requestLog ? '  log global\n  option httplog\n  option dontlognull\n' : '  # No log line per request: the benchmark measures the proxy, not its logging.\n  no log\n'}  # The proxy's address is not the client's: the instances read X-Forwarded-For (TRUST_PROXY_HOPS=1).
  option forwardfor
  # A request whose connection failed goes to another instance; nothing is retried once it was sent.
  retries 2
  option redispatch
  timeout connect 2s
  # Idle keep-alive connections and slow request headers are bounded on their own; timeout client only
  # bounds a client that stops reading mid-response, and an event stream is one long response.
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout client 1h
  timeout server 60s
  timeout queue 10s

frontend deskgraph
  bind 127.0.0.1:${proxy.port}
  http-response set-header ${SERVED_BY_HEADER} %s
${options.streams ? streamRouting : ''}  default_backend deskgraph_round_robin

backend deskgraph_round_robin
  balance roundrobin
  # Readiness (503 when the database is unreachable, or the instance is stopping) takes an instance out
  # within ${(CHECK_INTERVAL_MS * FALL) / 1000} s, back within ${(CHECK_INTERVAL_MS * RISE) / 1000} s.
  option httpchk GET /ready
  http-check expect status 200
  default-server inter ${CHECK_INTERVAL_MS}ms fall ${FALL} rise ${RISE}
  # An event stream (SSE on /graphql: subscriptions, @live) stays open for as long as the client listens;
  # the server sends a ping every 12 s, so a dead one is still noticed.
  http-request set-timeout server 1h if { req.hdr(accept) -m sub text/event-stream }
${servers(() => 'check')}
${options.streams ? streamBackends(servers(tracked)) : ''}
listen stats
  bind 127.0.0.1:${proxy.statsPort}
  stats enable
  stats uri /
  stats refresh 5s
`;
}

export async function startHaproxy(state: TopologyState, haproxy: string): Promise<void> {
  const proxy = state.haproxy;
  if (!proxy || isRunning(proxy.process)) return;
  const spec = { port: proxy.port, statsPort: proxy.statsPort, servers: state.instances };
  proxy.process = spawnHaproxy(haproxy, spec, proxy, TOPOLOGY_OPTIONS);
  await waitForBackends(proxy.process, spec, proxy.log);
}

/** Writes the configuration and starts HAProxy, detached; returns at once (its pid is recorded before any wait). */
export function spawnHaproxy(haproxy: string, spec: ProxySpec, files: { config: string; log: string }, options: ConfigOptions): Owned {
  mkdirSync(path.dirname(files.config), { recursive: true });
  writeFileSync(files.config, haproxyConfig(spec, options));
  // Foreground (no -D) but detached from us: its log goes to stdout, which is the log file.
  const pid = spawnDetached(haproxy, ['-f', files.config], { logFile: files.log });
  return { pid, command: files.config };
}

/** Waits until HAProxy's health checks (GET /ready) see every instance UP. */
export async function waitForBackends(process: Owned, spec: ProxySpec, logFile: string): Promise<void> {
  await waitUntil(
    async () => {
      if (!isRunning(process)) throw new TopologyError('it exited');
      const states = await backendStatesAt(spec.statsPort);
      return states.length === spec.servers.length && states.every((server) => server.status === 'UP');
    },
    20_000,
    () => `HAProxy on port ${spec.port} did not see every instance UP; the end of ${logFile}:\n${tail(logFile)}`,
  );
}

export async function stopHaproxy(state: TopologyState): Promise<boolean> {
  // SIGUSR1: a soft stop (stop listening, finish the connections in flight).
  return stopProcess(state.haproxy?.process, 'SIGUSR1', 3000);
}

export interface ServerState {
  name: string;
  /** UP, DOWN, or a transition (UP 1/2 …), as HAProxy's health checks see the instance. */
  status: string;
}

/** The round-robin backend's servers as HAProxy sees them, from the stats page's CSV. */
export const backendStates = (state: TopologyState): Promise<ServerState[]> => backendStatesAt(state.haproxy!.statsPort);

async function backendStatesAt(statsPort: number): Promise<ServerState[]> {
  const response = await fetch(`http://127.0.0.1:${statsPort}/;csv`, { signal: AbortSignal.timeout(3000) });
  const [header, ...rows] = (await response.text()).trim().split('\n');
  const columns = header!.replace(/^# /, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  return rows
    .map((row) => row.split(','))
    .filter((cells) => cells[at('pxname')] === 'deskgraph_round_robin' && !['FRONTEND', 'BACKEND'].includes(cells[at('svname')]!))
    .map((cells) => ({ name: cells[at('svname')]!, status: cells[at('status')]! }));
}
