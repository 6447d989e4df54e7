// "Recording and timing" on a job's page: the source's duration, size, picture and frame rate,
// the total time, the encode speed, the time to playable and where the files are (each link with
// a Copy button). Shown from the start with what the intake knew; the probe's report and then the
// manifest fill in the rest.
import { copyField } from './asset-panel.js';
import { byId, h, replaceKeepingFocus } from './dom.js';
import { bytes, clock, duration } from './format.js';
import { jobTimings, recordingFacts } from './job-timing.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {import('./types.js').AssetView} AssetView */
/** @typedef {import('./types.js').JobLogEvent} JobLogEvent */

const unknown = '—';

/**
 * @param {ApiJob} job
 * @param {AssetView | undefined} asset the finished asset, once loaded
 * @param {readonly JobLogEvent[]} log the job's log (the probe's facts while it runs)
 * @param {number} [liveSpeed] the running encode's speed from its last progress, until the manifest has the whole run's
 */
export function renderJobFacts(job, asset, log, liveSpeed) {
  const manifest = asset?.manifest;
  const source = recordingFacts(job, manifest, log);
  const times = jobTimings(job, manifest);
  /** @type {[string, string, string][]} key, term, value */
  const facts = [
    ['duration', 'Source duration', source.durationSeconds !== undefined ? clock(source.durationSeconds) : unknown],
    ['bytes', 'Source size', source.bytes !== undefined ? bytes(source.bytes) : unknown],
    ['picture', 'Picture', source.size ? `${source.size.width}×${source.size.height}` : unknown],
    ['frame-rate', 'Frame rate', source.frameRate !== undefined ? `${Math.round(source.frameRate * 100) / 100} fps` : unknown],
    ['total', 'Total time', times.totalMs !== undefined ? `${duration(times.totalMs)}${times.finished ? '' : ' so far'}${times.queuedMs !== undefined ? ` (${duration(times.queuedMs)} queued)` : ''}` : 'not started'],
    ['speed', 'Encode speed', times.encodeSpeed !== undefined ? `${times.encodeSpeed.toFixed(1)}× real time` : liveSpeed !== undefined && liveSpeed > 0 ? `${liveSpeed.toFixed(1)}× real time so far` : unknown],
    ['playable', 'Time to playable', times.toPlayableMs !== undefined ? duration(times.toPlayableMs) : job.state === 'failed' || job.state === 'cancelled' ? `never (${job.state})` : 'not playable yet'],
  ];
  const list = h('dl', { class: 'meta facts' }, facts.flatMap(([key, term, value]) => [h('dt', {}, term), h('dd', { 'data-fact': key }, value)]));
  replaceKeepingFocus(byId('job-facts-body', HTMLElement), [list, filesPlace(job, asset)]);
}

/**
 * Where the files are: the storage prefix always, and the asset folder's URL once ready.
 * @param {ApiJob} job
 * @param {AssetView | undefined} asset
 */
function filesPlace(job, asset) {
  const folder = asset ? new URL('./', asset.urls.master).href : undefined;
  return h('div', { class: 'files-place' },
    h('h3', {}, 'Where the files are'),
    h('p', {}, 'Under the storage output (storage.output, or the media directory): ', h('code', { id: 'output-prefix' }, `${job.outputPrefix}/`)),
    folder ? copyField('asset-folder', 'Asset folder URL', folder) : h('p', { class: 'muted' }, 'The asset folder\'s URL appears here when the asset is ready.'));
}
