export { waitUntil } from '../../src/wait';
