// The limits that depend on the document alone: depth, aliases, directives, repeated fields and
// introspection. They run before graphql-js's own rules (see use-query-limits.ts) and their verdict is
// cached with the document's validation. Depth, aliases and directives are graphql-armor's counters
// (they follow fragments and count each fragment once); we only turn their verdict into our error.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { ASTVisitor, FieldNode, GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import { fieldDuplicationRule } from './field-duplication.ts';
import { limitError, type LimitCode } from './limit-error.ts';
import type { LimitsConfig } from './limits-config.ts';

// armor's messages end "... limit of N exceeded, found M."; the count is all we take from them.
function measuredIn(error: GraphQLError): number | undefined {
  const found = /found (\d+)/.exec(error.message);
  return found ? Number(found[1]) : undefined;
}

type ArmorRule = (options: {
  n: number;
  flattenFragments?: boolean;
  exposeLimits: boolean;
  propagateOnRejection: boolean;
  onReject: ((context: ValidationContext | null, error: GraphQLError) => void)[];
}) => ValidationRule;

function armor(rule: ArmorRule, max: number, report: (context: ValidationContext, measured: number | undefined) => void): ValidationRule {
  return rule({
    n: max,
    // A fragment spread is not a level of the response: depth counts fields only.
    flattenFragments: true,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context, error) => context && report(context, measuredIn(error))],
  });
}

function refuse(context: ValidationContext, code: LimitCode, message: string, limit: string, max: number, measured?: number) {
  context.reportError(limitError(code, message, { limit, max, ...(measured === undefined ? {} : { measured }) }));
}

function introspectionRule(context: ValidationContext): ASTVisitor {
  let reported = false;
  return {
    Field(node: FieldNode) {
      if (reported || (node.name.value !== '__schema' && node.name.value !== '__type')) return;
      reported = true;
      context.reportError(
        limitError('INTROSPECTION_DISABLED', `Introspection (${node.name.value}) is disabled on this server (INTROSPECTION=off).`),
      );
    },
  };
}

export function documentLimitRules(limits: LimitsConfig): ValidationRule[] {
  const rules: ValidationRule[] = [
    armor(maxDepthRule as ArmorRule, limits.maxDepth, (context, depth) =>
      refuse(
        context,
        'QUERY_TOO_DEEP',
        `The query is nested ${depth ?? 'too'} levels deep; the limit is ${limits.maxDepth}.`,
        'maxDepth',
        limits.maxDepth,
        depth,
      ),
    ),
    armor(maxAliasesRule as ArmorRule, limits.maxAliases, (context, aliases) =>
      refuse(
        context,
        'TOO_MANY_ALIASES',
        `The operation uses ${aliases ?? 'too many'} aliases; the limit is ${limits.maxAliases}.`,
        'maxAliases',
        limits.maxAliases,
        aliases,
      ),
    ),
    armor(maxDirectivesRule as ArmorRule, limits.maxDirectives, (context, directives) =>
      refuse(
        context,
        'TOO_MANY_DIRECTIVES',
        `The operation uses ${directives ?? 'too many'} directives; the limit is ${limits.maxDirectives}.`,
        'maxDirectives',
        limits.maxDirectives,
        directives,
      ),
    ),
    fieldDuplicationRule(limits.maxFieldDuplicates, (context, count, key) =>
      refuse(
        context,
        'TOO_MANY_DUPLICATE_FIELDS',
        `"${key}" is selected ${count} times in one selection set; the limit is ${limits.maxFieldDuplicates}.`,
        'maxFieldDuplicates',
        limits.maxFieldDuplicates,
        count,
      ),
    ),
  ];
  if (limits.introspection === 'off') rules.push(introspectionRule);
  return rules;
}
