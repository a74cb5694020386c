import type { ActivityDeps } from './deps';
import { createDeliveryActivities } from './delivery';
import { createFanOutActivities } from './fan-out';
import { createFifoActivities } from './fifo';
import { createJobActivities } from './jobs';
import { createReplayActivities } from './replay';

export type { ActivityDeps } from './deps';
export { DEFAULT_FAN_OUT_PAGE_SIZE, DEFAULT_FAN_OUT_SHARD_SIZE } from './fan-out';

/** Builds the worker's activities around their dependencies, as the samples do. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createFanOutActivities(deps),
    ...createDeliveryActivities(deps),
    ...createReplayActivities(deps),
    ...createJobActivities(deps),
    ...createFifoActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
