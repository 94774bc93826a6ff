// A stream may outlive its token: the token is checked when the subscription opens, so the stream is
// ended when the token expires, as a request made then would be refused.

// setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps.
const MAX_DELAY_MS = 2 ** 31 - 1;

/** Calls end() when the clock passes expiresAt (ms since the epoch); returns how to cancel it. */
export function endAtExpiry(expiresAt: number, end: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = expiresAt - Date.now();
    if (left <= 0) return end();
    timer = setTimeout(arm, Math.min(left, MAX_DELAY_MS));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
