// Who subscribes to what, and which tickets the writer changes: chosen so that every viewer has
// deliveries coming (customers' own tickets are among those written) and so that subscribers share
// groups the way real ones do (the agents and the admin of one organization share a scope; each
// customer is a scope of their own).
import type { Instance } from '../lib/server.ts';
import type { SubscriberSpec } from './subscribers.ts';

export interface Viewer {
  email: string;
  token: string;
  staff: boolean;
  organization: string;
  /** The first tickets of their list (a customer's own). */
  tickets: string[];
}

const TICKET_SUBSCRIPTION = 'subscription BenchTicket($id: ID!) { ticketChanged(id: $id) { id title status updatedAt } }';
const QUEUE_SUBSCRIPTION =
  'subscription BenchQueue { ticketsChanged(first: 10, orderBy: { field: UPDATED_AT }) { totalCount edges { node { id title status } } } }';

export interface Plan {
  /** The tickets written, in turn, each with a token of its organization's staff to write it. */
  written: { id: string; writer: string; organization: string }[];
  specs: SubscriberSpec[];
  describe: string;
}

export function planSubscribers(viewers: Viewer[], instances: Instance[], count: number): Plan {
  const written: Plan['written'] = [];
  for (const organization of new Set(viewers.map((v) => v.organization))) {
    const staff = viewers.find((v) => v.staff && v.organization === organization);
    if (!staff) continue;
    const customers = viewers.filter((v) => !v.staff && v.organization === organization);
    const own = customers.flatMap((c) => c.tickets.slice(0, 2));
    const others = staff.tickets.filter((id) => !own.includes(id)).slice(0, 2);
    for (const id of [...own, ...others]) written.push({ id, writer: staff.token, organization });
  }
  const visible = (viewer: Viewer) =>
    viewer.staff
      ? written.filter((w) => w.organization === viewer.organization).map((w) => w.id)
      : viewer.tickets.filter((id) => written.some((w) => w.id === id));
  const specs: SubscriberSpec[] = [];
  let queues = 0;
  for (let i = 0; i < count; i++) {
    const viewer = viewers[i % viewers.length]!;
    const instance = instances[Math.floor(i / viewers.length) % instances.length]!;
    const mine = visible(viewer);
    // A third subscribe to their list, the rest to one ticket each, round the viewer's visible tickets.
    if (Math.floor(i / (viewers.length * instances.length)) % 3 === 0 || mine.length === 0) {
      queues += 1;
      specs.push({ origin: instance.origin, token: viewer.token, query: QUEUE_SUBSCRIPTION, variables: {}, ticket: null });
    } else {
      const id = mine[Math.floor(i / viewers.length) % mine.length]!;
      specs.push({ origin: instance.origin, token: viewer.token, query: TICKET_SUBSCRIPTION, variables: { id }, ticket: id });
    }
  }
  return {
    written,
    specs,
    describe: `${count - queues} ticketChanged, ${queues} ticketsChanged, as ${viewers.map((v) => v.email).join(', ')}`,
  };
}
