// Header differences between a miss (yoga) and a hit (fast path), across encodings, and between a 304 and
// the 200 it stands for: noted once each (named by the first operation), for the report's "Noticed".
import type { BytesRow, Findings, Measured } from './model.ts';

const names = (h: Record<string, string>) =>
  Object.keys(h)
    .filter((k) => k !== 'date')
    .sort();

export function noteHeaderDifferences(findings: Findings, rows: BytesRow[]): void {
  for (const r of rows) {
    missAgainstHit(findings, r);
    encodings(findings, r);
    notModified(findings, r);
    if (r.form !== 'get-hash' && r.identity.etag)
      findings.noteOnce(`post-etag ${r.form}`, `${r.form}: POST answers carry an ETag (${r.identity.etag})`);
  }
}

function missAgainstHit(findings: Findings, r: BytesRow): void {
  if (r.miss.outcome !== 'miss') {
    // POST hash asks for the entry GET hash filled (same document, variables, viewer): a hit is expected.
    if (r.form !== 'post-hash' || r.miss.outcome !== 'hit/fast')
      findings.note(`${r.operation} ${r.form}: the first request was ${r.miss.outcome}, not a miss`);
    return;
  }
  const missNames = names(r.miss.headers).join(',');
  const hitNames = names(r.br.headers).join(',');
  if (missNames !== hitNames) {
    findings.noteOnce(
      `miss-hit ${r.form} ${missNames} ${hitNames}`,
      `${r.form}, Accept-Encoding: br: a miss (yoga) and a hit (fast path) send different headers: miss [${missNames}] vs hit [${hitNames}] (first seen on ${r.operation})`,
    );
  }
  if (r.miss.etag !== r.br.etag && r.miss.etag && r.br.etag) {
    findings.noteOnce(
      `miss-hit-etag ${r.form}`,
      `${r.form}, Accept-Encoding: br: ETag ${r.miss.etag} on the miss (yoga) but ${r.br.etag} on the hit (fast path), same bytes (first seen on ${r.operation})`,
    );
  }
}

function encodings(findings: Findings, r: BytesRow): void {
  for (const enc of [r.br, r.gzip]) {
    if (enc.encoding && enc.etag && r.identity.etag && enc.etag === r.identity.etag && !enc.etag.startsWith('W/')) {
      findings.noteOnce(
        `strong-etag ${r.form}`,
        `${r.form}: the ${enc.encoding} hit carries the identity hit's strong ETag ${enc.etag} (first seen on ${r.operation}); a strong validator must differ between content codings (RFC 9110 §8.8.1/§8.8.3)`,
      );
    }
    if (!enc.encoding && r.body.length >= 1024)
      findings.noteOnce(
        `not-compressed ${r.form} ${r.operation}`,
        `${r.operation} ${r.form}: a ${r.body.length} B body was not compressed`,
      );
    if (enc.encoding && !enc.headers.vary) findings.noteOnce(`vary ${r.form}`, `${r.form}: a ${enc.encoding} response without Vary`);
  }
  if (!r.br.encoding && r.br.headers.vary !== r.identity.headers.vary) {
    findings.noteOnce(
      `small-vary ${r.form}`,
      `${r.form}: uncompressed (small) answer to Accept-Encoding: br has Vary ${r.br.headers.vary ?? 'absent'} vs ${r.identity.headers.vary ?? 'absent'} without it`,
    );
  }
}

/** A 304 must carry the Cache-Control, ETag and Vary a 200 to the same request would (RFC 9110 §15.4.5). */
function notModified(findings: Findings, r: BytesRow): void {
  const pairs: [Measured | null, Measured, string][] = [
    [r.notModified, r.identity, 'If-None-Match'],
    [r.notModifiedBr, r.br, 'If-None-Match + Accept-Encoding: br'],
  ];
  for (const [nm, ok200, what] of pairs) {
    if (!nm) continue;
    if (nm.status !== 304) findings.noteOnce(`304-status ${what}`, `GET hash, ${what}: HTTP ${nm.status}, not 304 (${r.operation})`);
    if (nm.etag !== r.identity.etag)
      findings.noteOnce(
        `304-etag ${what}`,
        `GET hash 304 (${what}): ETag ${nm.etag} differs from the 200's ${r.identity.etag} (${r.operation})`,
      );
    const missing = ['cache-control', 'etag', 'vary'].filter((h) => ok200.headers[h] !== undefined && nm.headers[h] === undefined);
    if (missing.length) {
      findings.noteOnce(
        `304-missing ${what} ${missing.join(',')}`,
        `GET hash 304 to ${what} lacks ${missing.join(', ')}, which the 200 to the same request sends (${ok200.headers.vary ? `vary: ${ok200.headers.vary}` : ''}); RFC 9110 §15.4.5: a 304 carries the Cache-Control, ETag and Vary the 200 would (first seen on ${r.operation})`,
      );
    }
  }
}
