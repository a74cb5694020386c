/**
 * Activities that can run longer than a few seconds heartbeat (activities/heartbeat.ts): a
 * worker killed in the middle of one is noticed after this long, not after its whole timeout.
 */
export const HEARTBEAT_TIMEOUT = '15s';

/** The longest HTTP timeout a subscription may set; the deliver activity's own timeout covers it. */
export const MAX_ATTEMPT_TIMEOUT_MS = 30_000;
