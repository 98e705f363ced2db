import type { Experimental_DidResolveQueryPlanCallback } from '@apollo/gateway';
import {
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  print,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type OperationTypeNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/** An operation whose plan is one fetch from one subgraph asking exactly what the client asked. */
export interface ForwardableOperation {
  /** Query or mutation. */
  kind: OperationTypeNode;
  /** The subgraph the plan fetches from. */
  serviceName: string;
  /** The fetch as the planner wrote it: what Apollo Gateway itself sends. */
  operation: string;
  operationName: string | undefined;
  /** The variables the fetch uses (the client's operation declares exactly these). */
  variableUsages: readonly string[];
  /** The client's operation's variable definitions and the API schema, to check the values. */
  variableDefinitions: readonly VariableDefinitionNode[];
  schema: GraphQLSchema;
  /** The client's operation name, for the log line ('anonymous' without one). */
  clientOperationName: string;
}

/** Plans remembered (operations that may be forwarded, and operations known not to qualify). */
const MAX_ENTRIES = 1_000;

/**
 * Which operations the gateway may forward to one subgraph without running Apollo Gateway's
 * executor (gateway/README.md, Forwarded operations). Apollo Gateway tells it every plan it
 * resolves (`experimental_didResolveQueryPlan`); a query or mutation qualifies when its plan is
 * a single fetch (no `requires`, no rewrites, no condition) whose selections are the client's
 * own — fragments expanded, nothing added (no `__typename` or key the planner needed), nothing
 * renamed. For such an operation the executor's result shaping of a plain answer (`data` only)
 * is the identity: the subgraph's `data` is the response. Remembered per document text and
 * operation name, up to 1,000 of them, forgotten when the supergraph changes.
 */
export class ForwardedOperations {
  private readonly plans = new Map<string, ForwardableOperation | null>();

  /** For ApolloGateway's `experimental_didResolveQueryPlan`. */
  readonly didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback = ({
    queryPlan,
    operationContext,
    requestContext,
  }) => {
    const query = requestContext.request.query;
    if (typeof query !== 'string') return;
    const key = keyOf(query, requestContext.request.operationName);
    if (this.plans.has(key)) return;
    const node = queryPlan.node;
    let forwardable: ForwardableOperation | null = null;
    const operation = operationContext.operation;
    if (
      operation.operation !== 'subscription' &&
      node?.kind === 'Fetch' &&
      !node.requires?.length &&
      !node.inputRewrites?.length &&
      !node.outputRewrites?.length &&
      !node.contextRewrites?.length &&
      !node.hasDefers
    ) {
      const fetched = node.operationDocumentNode ?? parse(node.operation);
      const declared = (operation.variableDefinitions ?? []).map((d) => d.variable.name.value);
      const used = node.variableUsages ?? [];
      if (
        sameNames(declared, used) &&
        asksTheSame(operationContext.schema, operation, operationContext.fragments, fetched)
      ) {
        forwardable = {
          kind: operation.operation,
          serviceName: node.serviceName,
          operation: node.operation,
          operationName: node.operationName,
          variableUsages: used,
          variableDefinitions: operation.variableDefinitions ?? [],
          schema: operationContext.schema,
          clientOperationName: operation.name?.value ?? 'anonymous',
        };
      }
    }
    if (this.plans.size >= MAX_ENTRIES) this.plans.delete(this.plans.keys().next().value!);
    this.plans.set(key, forwardable);
  };

  /** The forwardable plan of this operation, if it was planned before and qualified. */
  find(query: string, operationName: string | undefined): ForwardableOperation | undefined {
    return this.plans.get(keyOf(query, operationName)) ?? undefined;
  }

  /** Forgets every plan (the supergraph changed). */
  clear(): void {
    this.plans.clear();
  }
}

function keyOf(query: string, operationName: string | null | undefined): string {
  return `${operationName ?? ''}\n${query}`;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name) => b.includes(name));
}

/**
 * Whether the fetch's operation selects exactly what the client's does: both with their
 * fragments expanded (a fragment on the type it is spread in is just its fields) and printed.
 */
export function asksTheSame(
  schema: GraphQLSchema,
  client: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  fetched: DocumentNode,
): boolean {
  const fetchOperation = fetched.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  const root = schema.getRootType(client.operation);
  if (!fetchOperation || fetchOperation.operation !== client.operation || !root) return false;
  if (client.directives?.length || fetchOperation.directives?.length) return false;
  if (variablesOf(client) !== variablesOf(fetchOperation)) return false;
  const fetchFragments = Object.fromEntries(
    fetched.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const mine = expanded(schema, root, client.selectionSet, fragments);
  const theirs = expanded(schema, root, fetchOperation.selectionSet, fetchFragments);
  return mine !== undefined && theirs !== undefined && print(mine) === print(theirs);
}

/** The operation's variable definitions (types and defaults), printed in name order. */
function variablesOf(operation: OperationDefinitionNode): string {
  return (operation.variableDefinitions ?? [])
    .map((definition) => print(definition))
    .sort()
    .join(' ');
}

/** A selection set with its fragments expanded; undefined when it cannot be followed. */
function expanded(
  schema: GraphQLSchema,
  parent: GraphQLCompositeType,
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
): SelectionSetNode | undefined {
  const selections: SelectionNode[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.selectionSet) {
        selections.push(selection);
        continue;
      }
      const name = selection.name.value;
      const field =
        isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field) return undefined;
      const type = getNamedType(field.type);
      if (!isCompositeType(type)) return undefined;
      const inner = expanded(schema, type, selection.selectionSet, fragments);
      if (!inner) return undefined;
      selections.push({ ...selection, selectionSet: inner });
      continue;
    }
    const fragment =
      selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments[selection.name.value];
    if (!fragment) return undefined;
    const condition = fragment.typeCondition?.name.value;
    const type = condition ? schema.getType(condition) : parent;
    if (!type || !isCompositeType(type)) return undefined;
    const inner = expanded(schema, type, fragment.selectionSet, fragments);
    if (!inner) return undefined;
    if (type === parent && !selection.directives?.length) selections.push(...inner.selections);
    else
      selections.push({
        kind: Kind.INLINE_FRAGMENT,
        typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: type.name } },
        directives: selection.directives,
        selectionSet: inner,
      });
  }
  return { kind: Kind.SELECTION_SET, selections };
}
