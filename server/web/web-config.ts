// Whether and how the server serves the web client next to the API.
import path from 'node:path';
import { z } from 'zod';

export interface WebConfig {
  /** dist: serve the built client (npm start); vite: Vite's dev middleware with HMR (npm run dev); off: API only. */
  mode: 'dist' | 'vite' | 'off';
  /** Absolute path of the built client (dist mode). */
  dir: string;
}

export const webEnv = z.object({
  WEB_CLIENT: z.enum(['dist', 'vite', 'off'], { error: () => 'WEB_CLIENT must be dist, vite or off' }).default('dist'),
  WEB_CLIENT_DIR: z.string().min(1).default('client/dist'),
});

export function webConfig(e: z.output<typeof webEnv>, cwd: string): WebConfig {
  return { mode: e.WEB_CLIENT, dir: path.resolve(cwd, e.WEB_CLIENT_DIR) };
}
