// The facts a job page answers first — how long, how big, how fast, when playable — worked out
// from the job, the probe's report in its log (while it runs) and, once ready, its manifest.json.
// Pure: tested without a browser. What was probed wins over the intake's facts, which are what a
// recorder claimed.

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {import('./types.js').AssetManifestView} AssetManifestView */
/** @typedef {import('./types.js').JobLogEvent} JobLogEvent */

/**
 * @typedef {object} RecordingFacts
 * @property {number | undefined} durationSeconds
 * @property {number | undefined} bytes
 * @property {{ width: number, height: number } | undefined} size display size
 * @property {number | undefined} frameRate frames per second
 */

/**
 * @param {ApiJob} job
 * @param {AssetManifestView | undefined} manifest
 * @param {readonly JobLogEvent[]} [log] the job's log: its last `job.probed` is what a worker's probe found
 * @returns {RecordingFacts}
 */
export function recordingFacts(job, manifest, log = []) {
  const source = manifest?.source;
  const video = source?.video;
  const data = log.findLast((event) => event.type === 'job.probed')?.data ?? {};
  /** @param {string} key */
  const probed = (key) => { const value = data[key]; return typeof value === 'number' ? positive(value) : undefined; };
  const probedWidth = probed('width');
  const probedHeight = probed('height');
  return {
    durationSeconds: positive(source?.duration) ?? probed('durationSeconds') ?? positive(job.facts.durationSeconds) ?? positive(manifest?.duration),
    bytes: positive(source?.sizeBytes) ?? probed('bytes') ?? positive(job.facts.bytes),
    size: video ? { width: video.displayWidth, height: video.displayHeight } : probedWidth !== undefined && probedHeight !== undefined ? { width: probedWidth, height: probedHeight } : undefined,
    frameRate: (video && video.frameRate.den > 0 ? positive(video.frameRate.num / video.frameRate.den) : undefined) ?? probed('frameRate'),
  };
}

/**
 * @typedef {object} JobTimings
 * @property {number | undefined} totalMs created → finished, or → now while not finished
 * @property {boolean} finished whether totalMs is final
 * @property {number | undefined} queuedMs created → the first start
 * @property {number | undefined} toPlayableMs created → first playable: the instant remux, or the
 *   asset itself for a job without one (a clip, instant remux off)
 * @property {number | undefined} encodeSpeed seconds of recording encoded per second of encode step
 */

/**
 * @param {ApiJob} job
 * @param {AssetManifestView | undefined} manifest
 * @param {number} [now]
 * @returns {JobTimings}
 */
export function jobTimings(job, manifest, now = Date.now()) {
  const created = Date.parse(job.createdAt);
  const since = (/** @type {string | null} */ iso) => (iso ? nonNegative(Date.parse(iso) - created) : undefined);
  const finished = job.finishedAt !== null;
  const encodeMs = manifest?.timingsMs['encode'];
  const seconds = recordingFacts(job, manifest).durationSeconds;
  return {
    totalMs: finished ? since(job.finishedAt) : job.startedAt ? nonNegative(now - created) : undefined,
    finished,
    queuedMs: since(job.startedAt),
    toPlayableMs: since(job.playableAt) ?? (job.state === 'succeeded' ? since(job.finishedAt) : undefined),
    encodeSpeed: seconds !== undefined && encodeMs !== undefined && encodeMs > 0 ? seconds / (encodeMs / 1000) : undefined,
  };
}

/**
 * The moment the job became playable, as a timeline entry (the event log has none: the store
 * keeps it as the job's playableAt).
 * @param {ApiJob} job
 * @returns {import('./job-history.js').TimelineItem[]}
 */
export function playableEntry(job) {
  if (!job.playableAt) return [];
  const after = nonNegative(Date.parse(job.playableAt) - Date.parse(job.createdAt));
  return [{ at: job.playableAt, what: 'Playable', tone: 'ok', detail: `the instant preview plays${after !== undefined ? ` (${Math.round(after / 100) / 10} s after it was queued)` : ''}` }];
}

/**
 * The timeline with the playable moment in its place.
 * @param {readonly import('./job-history.js').TimelineItem[]} items oldest first
 * @param {ApiJob} job
 */
export function withPlayable(items, job) {
  return [...items, ...playableEntry(job)].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** @param {number | undefined} value */
function positive(value) {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** @param {number} value */
function nonNegative(value) {
  return Number.isFinite(value) ? Math.max(0, value) : undefined;
}
