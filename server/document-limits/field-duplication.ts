// The same field asked for again and again in one selection set ({ id id id ... }) is merged by
// graphql-js, but only after OverlappingFieldsCanBeMerged has compared every pair: quadratic work for
// nothing. graphql-armor has no rule for it, so this one counts repeats of a response key per selection set.
import type { ASTVisitor, SelectionSetNode, ValidationContext } from 'graphql';

/** Calls onTooMany(count, key) once per selection set where a response key appears more than max times. */
export function fieldDuplicationRule(max: number, onTooMany: (context: ValidationContext, count: number, key: string) => void) {
  return (context: ValidationContext): ASTVisitor => ({
    SelectionSet(node: SelectionSetNode) {
      const counts = new Map<string, number>();
      let worst = 0;
      let worstKey = '';
      for (const selection of node.selections) {
        if (selection.kind !== 'Field') continue;
        const key = selection.alias?.value ?? selection.name.value;
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        if (count > worst) {
          worst = count;
          worstKey = key;
        }
      }
      if (worst > max) onTooMany(context, worst, worstKey);
    },
  });
}
