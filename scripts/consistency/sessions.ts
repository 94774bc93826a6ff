// The viewers: the demo accounts of two organizations (admins, agents, customers), each signed in a
// few times (one token per session), and how a session sends an operation: to a random instance or
// through the balancer, retried on another target when the failure is one a client retries.
import { DEMO_PASSWORD } from '../../prisma/seed/demo-accounts.ts';
import type { Random } from './random.ts';
import type { Transport } from './history.ts';
import { OPERATIONS, type Operation } from './documents.ts';
import { dataAt, type Attempt, type GraphQLBody, type Target, type Transporter } from './transport.ts';

export interface Session {
  /** e.g. acme-agent#1 */
  name: string;
  org: string;
  role: 'ADMIN' | 'AGENT' | 'CUSTOMER';
  userId: string;
  token: string;
}

export interface CallResult {
  attempts: Attempt[];
  /** The body of the last attempt (also when it carries errors, e.g. NOT_FOUND). */
  body?: GraphQLBody;
  /** The last attempt answered without error. */
  ok: boolean;
}

const MAX_ATTEMPTS = 5;
const BACKOFF_MS = 100;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Targets {
  constructor(
    private readonly instances: Target[],
    private readonly proxy: Target | null,
  ) {}

  /** A random instance, or the balancer about one request in three when there is one. */
  pick(random: Random, avoid?: string): Target {
    if (this.proxy && random.chance(1 / 3) && avoid !== this.proxy.name) return this.proxy;
    const choices = this.instances.filter((t) => t.name !== avoid);
    return random.pick(choices.length ? choices : this.instances);
  }

  all(): Target[] {
    return this.proxy ? [...this.instances, this.proxy] : [...this.instances];
  }
}

export class Caller {
  /** Retries by the cause of the failed attempt, for the report. */
  readonly retries = new Map<string, number>();

  constructor(
    private readonly transport: Transporter,
    private readonly targets: Targets,
  ) {}

  async call(
    random: Random,
    operation: Operation,
    wanted: Transport,
    variables: Record<string, unknown>,
    token: string | null,
    /** The first attempt's target (the final sweep asks each one); retries go elsewhere. */
    first?: Target,
  ): Promise<CallResult> {
    const attempts: Attempt[] = [];
    let target = first ?? this.targets.pick(random);
    for (let n = 1; ; n++) {
      const via = this.transport.usable(operation, wanted);
      const { attempt, body } = await this.transport.send(target, operation, via, variables, token);
      attempts.push(attempt);
      if (!attempt.error) return { attempts, body, ok: true };
      if (!attempt.retryable || n >= MAX_ATTEMPTS) return { attempts, body, ok: false };
      const cause = attempt.error.split(' ').find((word) => /^[A-Z_]{4,}$/.test(word)) ?? attempt.error.split(' ').slice(0, 2).join(' ');
      this.retries.set(cause, (this.retries.get(cause) ?? 0) + 1);
      await sleep(BACKOFF_MS * 2 ** (n - 1));
      target = this.targets.pick(random, target.name);
    }
  }

  now(): number {
    return this.transport.now();
  }
}

interface Account {
  email: string;
  org: string;
  role: Session['role'];
}

const ACCOUNTS: Account[] = ['acme', 'globex'].flatMap((org) =>
  (['admin', 'agent', 'customer'] as const).map((who) => ({
    email: `${who}@${org}.test`,
    org,
    role: who.toUpperCase() as Session['role'],
  })),
);

/** Signs in every demo account `perAccount` times. */
export async function signIn(caller: Caller, random: Random, perAccount: number): Promise<Session[]> {
  const sessions: Session[] = [];
  for (const account of ACCOUNTS) {
    for (let i = 0; i < perAccount; i++) {
      const result = await caller.call(random, OPERATIONS.login, 'plain-post', { email: account.email, password: DEMO_PASSWORD }, null);
      const login = dataAt<{ token: string; user: { id: string } }>(result.body, 'login');
      if (!result.ok || !login) {
        throw new Error(`login as ${account.email} failed: ${result.attempts.at(-1)?.error ?? 'no token'} (is the database seeded?)`);
      }
      sessions.push({ name: `${account.org}-${account.role.toLowerCase()}#${i}`, ...account, userId: login.user.id, token: login.token });
    }
  }
  return sessions;
}
