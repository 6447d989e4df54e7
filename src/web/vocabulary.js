// The API's enumerations as the dashboard offers them. A test keeps them equal to src/jobs/job.ts.

/** @type {readonly import('./types.js').JobState[]} */
export const jobStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'];

/** @type {readonly import('./types.js').Priority[]} */
export const priorities = ['urgent', 'high', 'normal', 'low'];

/** @type {readonly import('./types.js').SourceKind[]} */
export const sourceKinds = ['nginx-rtmp', 'srs', 'mediamtx', 's3', 'generic', 'api', 'watch'];

/** @type {Readonly<Record<import('./types.js').JobState, string>>} */
export const stateLabels = { queued: 'Queued', running: 'Running', succeeded: 'Done', failed: 'Failed', cancelled: 'Cancelled' };

/** @param {import('./types.js').JobState} state */
export function isFinished(state) {
  return state === 'succeeded' || state === 'failed' || state === 'cancelled';
}
