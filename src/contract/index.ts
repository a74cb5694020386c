/**
 * The contract between the workflows and everything around them (activities, gateway, ledger):
 * ids, search attributes, failure types, signals and queries, workflow inputs and timeouts.
 * Deterministic code only: the workflows import it too.
 */
export * from './failures';
export * from './fairness';
export * from './ids';
export * from './inputs';
export * from './messages';
export * from './search-attributes';
export * from './start-options';
export * from './timeouts';
export * from './workflow-types';
