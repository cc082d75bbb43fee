import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationTypeNode,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ASTVisitor,
  type FragmentDefinitionNode,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting accepted (introspection fields excepted). */
  readonly maxDepth: number;
  /** Highest estimated cost accepted (see `costOf`). */
  readonly maxCost: number;
}

/** How many items a list field is assumed to hold when no `first`/`limit` argument says it. */
const assumedListSize: Readonly<Record<string, number>> = {
  'Board.columns': 20,
  'Board.members': 50,
  'Column.tasks': 100,
  'Task.comments': 10,
  'Task.assignees': 5,
  // A page's items: the page field's `first` counted them already.
  'TaskPage.items': 1,
  'BoardPage.items': 1,
  'HistoryPage.entries': 1,
};
const defaultPageSize = 50;
const defaultListSize = 10;

const refusal = (message: string, limit: 'depth' | 'cost', value: number, max: number): GraphQLError =>
  new GraphQLError(message, {
    extensions: { code: 'VALIDATION.FAILED', limit, value, max },
  });

const isListOutput = (type: GraphQLOutputType): boolean => isListType(isNonNullType(type) ? type.ofType : type);

/**
 * A root field (a query's entry or a mutation) costs this much on its own: each one reads or writes
 * by itself (aliases defeat the loaders' de-duplication), so a document holds at most a few dozen.
 */
const rootFieldCost = 1_000;

interface Walk {
  /** The root type's name: its fields cost `rootFieldCost`. */
  readonly root: string;
  readonly fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Fragments being expanded, so a cycle (refused by the spec's own rule) cannot loop here. */
  readonly expanding: Set<string>;
}

/**
 * Depth and cost of a selection set, in one walk. A field with a selection (an object: something
 * to load) costs 1 and its children, times its list size or page size; a scalar costs nothing; a
 * root field costs `rootFieldCost` more.
 */
function measure(
  schema: GraphQLSchema,
  parentName: string,
  selections: SelectionSetNode,
  walk: Walk,
): { depth: number; cost: number } {
  let depth = 0;
  let cost = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const parent = schema.getType(parentName);
      const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field) continue;
      const child = selection.selectionSet
        ? measure(schema, getNamedType(field.type).name, selection.selectionSet, walk)
        : { depth: 0, cost: 0 };
      const sizeArg = selection.arguments?.find((arg) => arg.name.value === 'first' || arg.name.value === 'limit');
      const size = isListOutput(field.type)
        ? (assumedListSize[`${parentName}.${name}`] ?? defaultListSize)
        : sizeArg !== undefined
          ? sizeArg.value.kind === Kind.INT
            ? Number(sizeArg.value.value)
            : 100
          : field.args.some((arg) => arg.name === 'first' || arg.name === 'limit')
            ? defaultPageSize
            : 1;
      depth = Math.max(depth, 1 + child.depth);
      const entry = parentName === walk.root ? rootFieldCost : 0;
      cost += entry + ((selection.selectionSet ? 1 : 0) + child.cost) * size;
    } else {
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments[selection.name.value];
      if (!fragment) continue;
      const key = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
      if (key !== null && walk.expanding.has(key)) continue;
      if (key !== null) walk.expanding.add(key);
      const typeName = fragment.typeCondition?.name.value ?? parentName;
      const inner = measure(schema, typeName, fragment.selectionSet, walk);
      if (key !== null) walk.expanding.delete(key);
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
  }
  return { depth, cost };
}

/**
 * Refuses operations nested deeper than `maxDepth` or estimated to cost more than `maxCost`
 * (docs/adr/0028-graphql-endpoint.md), before anything executes: a page of 50 boards with 500 tasks
 * each with 20 comments is refused, not run.
 */
export function queryLimitsRule(limits: QueryLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root =
        operation.operation === OperationTypeNode.MUTATION
          ? schema.getMutationType()
          : operation.operation === OperationTypeNode.SUBSCRIPTION
            ? schema.getSubscriptionType()
            : schema.getQueryType();
      if (!root) return;
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of context.getDocument().definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      const { depth, cost } = measure(schema, root.name, operation.selectionSet, {
        root: root.name,
        fragments,
        expanding: new Set(),
      });
      if (depth > limits.maxDepth) {
        context.reportError(
          refusal(
            `The query is nested ${depth} levels deep; at most ${limits.maxDepth} are allowed`,
            'depth',
            depth,
            limits.maxDepth,
          ),
        );
      }
      if (cost > limits.maxCost) {
        context.reportError(
          refusal(
            `The query's estimated cost is ${cost}; at most ${limits.maxCost} is allowed`,
            'cost',
            cost,
            limits.maxCost,
          ),
        );
      }
    },
  });
}
