// The manifest of bench:persisted: the workload's reads and the login, hashed exactly as they are sent,
// written where both instances read it.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { LOGIN, READ_OPERATIONS } from '../lib/operations.ts';
import { sha256 } from '../lib/queries.ts';
import { AGENT, CUSTOMER, type Operation } from './model.ts';

export interface Manifest {
  file: string;
  operations: Operation[];
  loginHash: string;
}

export function writeManifest(dir: string): Manifest {
  const operations: Operation[] = Object.entries(READ_OPERATIONS).map(([name, op]) => ({
    name,
    document: op.document,
    hash: sha256(op.document),
    user: op.staff ? AGENT : CUSTOMER,
    variables: null,
  }));
  const loginHash = sha256(LOGIN);
  const documents: Record<string, string> = { [`sha256:${loginHash}`]: LOGIN };
  for (const op of operations) documents[`sha256:${op.hash}`] = op.document;
  const file = path.join(dir, 'persisted-documents.json');
  writeFileSync(file, JSON.stringify(documents, null, 2) + '\n');
  return { file, operations, loginHash };
}

/** Hash → operation name, for the results (the documents themselves are in the workload). */
export function manifestNames({ operations, loginHash }: Manifest): Record<string, string> {
  return Object.fromEntries([[`sha256:${loginHash}`, 'Login'], ...operations.map((o) => [`sha256:${o.hash}`, o.name])]);
}
