// Moved to src/contract; kept until every importer has moved.
export * from '../src/contract';
