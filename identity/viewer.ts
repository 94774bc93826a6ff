// Who is asking: what a token resolves to. The schema decides what a viewer may see
// (schema/viewer.ts); the server remembers viewers by token (server/auth/).
import type { Role } from '../prisma/generated/client.ts';

export interface Viewer {
  userId: number;
  organizationId: number;
  role: Role;
}
