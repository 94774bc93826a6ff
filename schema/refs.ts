// Object references declared apart from their implementations, so entity files can point at each
// other (a ticket has comments, a comment has a ticket) without import cycles.
import type { Comment, Organization, Tag, Ticket, User } from '../prisma/generated/client.ts';
import type { Role, TicketPriority, TicketStatus } from '../prisma/generated/enums.ts';
import { builder } from './builder.ts';

export const OrganizationRef = builder.objectRef<Organization>('Organization');
export const UserRef = builder.objectRef<User>('User');
export const TicketRef = builder.objectRef<Ticket>('Ticket');
export const CommentRef = builder.objectRef<Comment>('Comment');
export const TagRef = builder.objectRef<Tag>('Tag');

export const RoleEnum = builder.enumType('Role', {
  values: {
    ADMIN: { description: 'Runs the organization: everything an agent does, plus deleting any comment.' },
    AGENT: { description: 'Works tickets: sees all of the organization, writes internal notes.' },
    CUSTOMER: { description: 'Files tickets and follows their own; never sees internal notes.' },
  } satisfies Record<Role, unknown>,
  description: 'What a user may do: admins and agents work tickets; customers file and follow their own.',
});

export const TicketStatusEnum = builder.enumType('TicketStatus', {
  values: {
    OPEN: { description: 'New, waiting for an agent.' },
    IN_PROGRESS: { description: 'An agent is working on it.' },
    PENDING: { description: 'Waiting for the requester or a third party.' },
    RESOLVED: { description: 'Answered; may be reopened.' },
    CLOSED: { description: 'Done.' },
    CANCELLED: { description: 'Withdrawn or not to be done.' },
  } satisfies Record<TicketStatus, unknown>,
  description: 'Where a ticket is in its life. OPEN, IN_PROGRESS and PENDING count as open.',
});

export const TicketPriorityEnum = builder.enumType('TicketPriority', {
  values: {
    LOW: { description: 'Whenever there is time.' },
    MEDIUM: { description: 'The default.' },
    HIGH: { description: 'Before medium and low.' },
    URGENT: { description: 'Drop everything.' },
  } satisfies Record<TicketPriority, unknown>,
  description: 'How urgent a ticket is, from LOW to URGENT (sorted in that order).',
});

export const SortDirectionEnum = builder.enumType('SortDirection', {
  description: 'Ascending or descending.',
  values: { ASC: { description: 'Smallest or oldest first.' }, DESC: { description: 'Largest or newest first.' } },
});
