// PostgreSQL WAL positions (LSNs). PostgreSQL prints them as two hex halves ("16/B374D848"); inside the
// process they are bigints, and on the wire (Redis, invalidation messages, response tokens) they are 16
// zero-padded hex digits, so that comparing two of them as strings (Lua, a sorted set, a shell) is
// comparing the positions.
const WIRE = /^[0-9a-f]{16}$/;
const PG = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** "16/B374D848" (pg_current_wal_lsn(), pg_last_wal_replay_lsn()) → bigint. Throws on anything else. */
export function lsnFromPg(text: string): bigint {
  const match = PG.exec(text);
  if (!match) throw new Error(`not a PostgreSQL LSN: ${JSON.stringify(text)}`);
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** bigint → the wire form: 16 lower-case hex digits. */
export function lsnToWire(lsn: bigint): string {
  return lsn.toString(16).padStart(16, '0');
}

/** The wire form → bigint; null when the text is not one (a message from an older or foreign sender is ignored, not trusted). */
export function lsnFromWire(text: string): bigint | null {
  return WIRE.test(text) ? BigInt(`0x${text}`) : null;
}
