// How busy this process's event loop was lately: the share of wall time it spent running code
// (perf_hooks event loop utilization) over the last completed window of about half a second. A
// saturated loop runs the sampling timer late: that window then spans the whole busy stretch.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

const WINDOW_MS = 500;

export class EventLoopBusy {
  private windowStart: EventLoopUtilization = performance.eventLoopUtilization();
  private last = 0;
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => {
      const now = performance.eventLoopUtilization();
      this.last = performance.eventLoopUtilization(now, this.windowStart).utilization;
      this.windowStart = now;
    }, WINDOW_MS);
    this.timer.unref();
  }

  /** Utilization (0–1) of the last completed window; 0 until one has completed. */
  utilization(): number {
    return this.last;
  }

  close(): void {
    clearInterval(this.timer);
  }
}
