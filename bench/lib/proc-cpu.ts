// CPU time of processes from /proc (Linux): what bench:ab charges to deskgraph and to PostgreSQL per request.
import { readdirSync, readFileSync } from 'node:fs';

/** User + system CPU seconds a process has used so far; 0 when it is gone or /proc cannot be read. */
export function processCpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readProc(`/proc/${pid}/stat`).split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds used so far by every PostgreSQL process on this machine. A backend that exits between two
 * readings takes its time with it: compare readings taken while the connections stay open.
 */
export function postgresCpuSeconds(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    try {
      if (readProc(`/proc/${entry}/cmdline`).startsWith('postgres')) total += processCpuSeconds(Number(entry));
    } catch {
      // the process exited while we looked
    }
  }
  return total;
}

const readProc = (file: string) => readFileSync(file, 'utf8');
