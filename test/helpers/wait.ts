export { waitUntil } from '../../scripts/lib/wait';
