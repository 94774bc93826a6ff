// nginx (Debian's package) in front of a test server, as a reverse proxy with its defaults.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitFor } from './processes.ts';

export interface Nginx {
  base: string;
  stop(): Promise<void>;
}

const NGINX_PATH = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export async function startNginx(upstream: URL): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskgraph-nginx-'));
  const port = await freePort();
  const target = `http://${upstream.host}`;
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((kind) => `${kind}_temp_path ${path.join(dir, kind)};`);
  const location = `proxy_pass ${target}; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;`;
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `daemon off; worker_processes 1; pid ${path.join(dir, 'nginx.pid')}; error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off; ${temp.join(' ')}
  server {
    listen 127.0.0.1:${port};
    location / { ${location} }
  }
}
`,
  );
  const child: ChildProcess = spawn(NGINX_PATH, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${base}/ready`).catch(() => null))?.ok ?? false,
    10_000,
    () => `nginx did not answer on ${base}: ${stderr}`,
  );
  return {
    base,
    async stop() {
      child.kill('SIGQUIT');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
