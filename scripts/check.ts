// `npm run check`: the static checks, run side by side on every core. Each is an `npm run` script of
// its own (run one alone while fixing it); here they share the cores, because on two cores in a row they
// took 125 s of CI, mostly single-threaded (tsc 40 s, type-aware eslint 51 s). A check's output is held
// back until it ends, so two never interleave; the run fails if any fails, after all have finished.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

// Longest first, so the short ones fill the gaps at the end.
const CHECKS = ['lint', 'typecheck', 'format:check', 'cycles', 'deadcode', 'schema:check'];

interface Outcome {
  name: string;
  ok: boolean;
}

function runCheck(name: string): Promise<Outcome> {
  const started = Date.now();
  const child = spawn('npm', ['run', '--silent', name], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  return new Promise((resolve) => {
    let finished = false;
    // A child that fails to start may emit 'close' after 'error': one report.
    const finish = (ok: boolean, extra = '') => {
      if (finished) return;
      finished = true;
      const seconds = (Date.now() - started) / 1000;
      const text = Buffer.concat(output).toString('utf8').trimEnd();
      console.log(`${ok ? '✓' : '✗'} ${name} (${seconds.toFixed(1)} s)${extra}${text ? `\n${text}` : ''}`);
      resolve({ name, ok });
    };
    child.on('error', (error) => finish(false, `: ${error.message}`));
    child.on('close', (code, signal) => finish(code === 0, code === 0 ? '' : `: exited with ${signal ?? code}`));
  });
}

async function runAll(lanes: number): Promise<Outcome[]> {
  const queue = [...CHECKS];
  const outcomes: Outcome[] = [];
  const lane = async () => {
    for (let name = queue.shift(); name; name = queue.shift()) outcomes.push(await runCheck(name));
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return outcomes;
}

const lanes = Math.max(1, Math.min(CHECKS.length, availableParallelism()));
console.log(`Checks: ${CHECKS.join(', ')} (${lanes} at a time)`);
const started = Date.now();
const failed = (await runAll(lanes)).filter((outcome) => !outcome.ok).map((outcome) => outcome.name);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (failed.length > 0) {
  console.error(`Checks failed: ${failed.join(', ')} (${seconds} s). Run one alone with \`npm run <name>\`.`);
  process.exitCode = 1;
} else {
  console.log(`All ${CHECKS.length} checks passed in ${seconds} s.`);
}
