// HAProxy in front of the instances: round robin for GraphQL over HTTP, health checks on /ready (what a
// production load balancer asks), and what the live streams need: long timeouts, and for the
// single-connection protocol at /graphql/stream the same instance for every request of one client.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRunning, spawnDetached, stopProcess, tail, TopologyError, waitUntil } from './processes.ts';
import type { TopologyState } from './state.ts';

/** The response header naming the instance that answered (tests and curl -i use it to see the balancing). */
export const SERVED_BY_HEADER = 'x-served-by';

function haproxyConfig(state: TopologyState): string {
  const proxy = state.haproxy!;
  const servers = (check: (name: string) => string) =>
    state.instances.map((instance) => `  server ${instance.name} 127.0.0.1:${instance.port} ${check(instance.name)}`).join('\n');
  // The sticky backends share the round-robin backend's health checks instead of running their own.
  const tracked = (name: string) => `track deskgraph_round_robin/${name}`;
  return `# Written by scripts/topology/haproxy.ts for \`npm run topology\`; rewritten on every up.
global
  log stdout format raw local0 info
  maxconn 4096

defaults
  mode http
  log global
  option httplog
  option dontlognull
  # The proxy's address is not the client's: the instances read X-Forwarded-For (TRUST_PROXY_HOPS=1).
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
  acl single_connection path_beg /graphql/stream
  # A single-connection stream lives in one instance's memory, and its PUT, GET, POSTs and DELETEs all
  # carry the Authorization it was reserved with: hashing that header sends them to the same instance.
  use_backend deskgraph_sticky if single_connection { req.hdr(authorization) -m found }
  use_backend deskgraph_by_address if single_connection
  default_backend deskgraph_round_robin

backend deskgraph_round_robin
  balance roundrobin
  # Readiness (503 when the database is unreachable) takes an instance out within 2 s, back within 2 s.
  option httpchk GET /ready
  http-check expect status 200
  default-server inter 1s fall 2 rise 2
  # An event stream (SSE on /graphql: subscriptions, @live) stays open for as long as the client listens;
  # the server sends a ping every 12 s, so a dead one is still noticed.
  http-request set-timeout server 1h if { req.hdr(accept) -m sub text/event-stream }
${servers(() => 'check')}

# /graphql/stream: the stream itself is one long response, and its POSTs are short.
backend deskgraph_sticky
  balance hdr(authorization)
  hash-type consistent
  timeout server 1h
${servers(tracked)}

# /graphql/stream without a credential: the client's address is what its requests have in common.
backend deskgraph_by_address
  balance source
  hash-type consistent
  timeout server 1h
${servers(tracked)}

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
  mkdirSync(path.dirname(proxy.config), { recursive: true });
  writeFileSync(proxy.config, haproxyConfig(state));
  // Foreground (no -D) but detached from us: its log goes to stdout, which is the log file.
  const pid = spawnDetached(haproxy, ['-f', proxy.config], { logFile: proxy.log });
  proxy.process = { pid, command: proxy.config };
  await waitUntil(
    async () => {
      if (!isRunning(proxy.process)) throw new TopologyError('it exited');
      return (await backendStates(state)).every((server) => server.status === 'UP');
    },
    20_000,
    () => `HAProxy on port ${proxy.port} did not see every instance UP; the end of ${proxy.log}:\n${tail(proxy.log)}`,
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
export async function backendStates(state: TopologyState): Promise<ServerState[]> {
  const response = await fetch(`http://127.0.0.1:${state.haproxy!.statsPort}/;csv`, { signal: AbortSignal.timeout(3000) });
  const [header, ...rows] = (await response.text()).trim().split('\n');
  const columns = header!.replace(/^# /, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  return rows
    .map((row) => row.split(','))
    .filter((cells) => cells[at('pxname')] === 'deskgraph_round_robin' && !['FRONTEND', 'BACKEND'].includes(cells[at('svname')]!))
    .map((cells) => ({ name: cells[at('svname')]!, status: cells[at('status')]! }));
}
