// Builds the schema from the entity modules. Importing a module registers its types and fields.
import { lexicographicSortSchema, specifiedDirectives } from 'graphql';
import { builder } from './builder.ts';
import './organization.ts';
import './user.ts';
import './ticket/ticket.ts';
import './ticket/list.ts';
import './ticket/mutations.ts';
import './comment.ts';
import './tag.ts';
import './session.ts';
import './dashboard.ts';
import { LiveDirective } from './live.ts';
import { syncNodeIds } from './sync-node-ids.ts';

export const schema = syncNodeIds(lexicographicSortSchema(builder.toSchema({ directives: [...specifiedDirectives, LiveDirective] })));
