// One row of the job list per job: poster and source (uploads labelled), duration, priority,
// state (with the failure's reason), progress (with speed and ETA while it runs), attempts, age,
// actions. On narrow screens CSS turns rows into cards, labelled by
// each cell's data-label.
import { h } from './dom.js';
import { age, clock, progressLabel, sourceName } from './format.js';
import { actionButtons, priorityControl } from './job-actions.js';
import { stateLabels } from './vocabulary.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {{ speed?: number | undefined, etaSeconds?: number | undefined }} LiveProgress */
/** @typedef {import('./row-assets.js').AssetSummary} AssetSummary */

/**
 * @param {ApiJob} job
 * @param {LiveProgress | undefined} live
 * @param {import('./job-actions.js').ActionHandlers} handlers
 * @param {AssetSummary | undefined} [asset] the finished asset's poster and duration, once read
 */
export function jobRow(job, live, handlers, asset) {
  const name = sourceName(job);
  const seconds = asset?.durationSeconds ?? job.facts.durationSeconds;
  return h('tr', { 'data-job-id': job.id, 'data-state': job.state, ...(isUpload(job) ? { 'data-upload': '' } : {}) },
    h('td', { 'data-label': 'Source', class: 'source' }, h('div', { class: 'source-cell' },
      // Decorative: the link next to it names the job.
      asset?.poster ? h('img', { class: 'poster', src: asset.poster, alt: '', loading: 'lazy', width: 64, height: 36 }) : h('span', { class: 'poster', 'aria-hidden': 'true' }),
      h('span', { class: 'source-text' },
        h('a', { href: `/jobs/${encodeURIComponent(job.id)}`, 'data-focus-key': `${job.id}:link`, title: job.source }, name),
        h('span', { class: 'muted kind' }, job.kind === 'clip' ? h('span', { class: 'tag' }, 'clip') : isUpload(job) ? h('span', { class: 'tag' }, 'upload') : job.sourceKind)))),
    h('td', { 'data-label': 'Duration', class: 'num duration' }, seconds !== undefined ? clock(seconds) : '—'),
    h('td', { 'data-label': 'Priority' }, priorityControl(job, handlers)),
    h('td', { 'data-label': 'State', class: 'state' }, stateBadge(job), failureReason(job)),
    h('td', { 'data-label': 'Progress', class: 'progress-cell' }, progressBar(job, live)),
    h('td', { 'data-label': 'Attempts', class: 'num' }, `${job.attempts} / ${job.maxAttempts}`),
    h('td', { 'data-label': 'Age' }, h('time', { datetime: job.createdAt, title: new Date(job.createdAt).toLocaleString() }, age(job.createdAt))),
    h('td', { 'data-label': 'Actions', class: 'actions' }, actionButtons(job, handlers)),
  );
}

/**
 * Uploads (POST /v1/uploads) are marked by the API with metadata.upload, the file's name.
 * @param {ApiJob} job
 */
export function isUpload(job) {
  return job.metadata['upload'] !== undefined;
}

/**
 * Why a job failed (or its last attempt did), in one clamped line; the job page has the rest.
 * @param {ApiJob} job
 */
function failureReason(job) {
  if (!job.error || (job.state !== 'failed' && job.state !== 'queued')) return null;
  return h('span', { class: 'reason', title: job.error.message }, job.error.message);
}

/** @param {ApiJob} job */
export function stateBadge(job) {
  // A queued job that carries an error is waiting for its next attempt.
  const retrying = job.state === 'queued' && job.error !== null;
  return h('span', { class: `badge state-${job.state}`, 'data-state': job.state }, retrying ? 'Retrying' : stateLabels[job.state]);
}

/**
 * @param {ApiJob} job
 * @param {LiveProgress | undefined} live
 */
export function progressBar(job, live) {
  const value = job.state === 'succeeded' ? 1 : job.progress;
  const label = job.state === 'running' ? progressLabel(value, live) : job.state === 'queued' ? 'waiting' : `${Math.floor(value * 100)} %`;
  return h('div', { class: 'progress' },
    h('progress', { max: 1, value, 'aria-label': `Progress of ${sourceName(job)}`, 'aria-valuetext': label }),
    h('span', { class: 'progress-label' }, label));
}

/**
 * Updates a row's progress in place (progress events come every second; rebuilding the row would
 * steal focus and flicker).
 * @param {HTMLElement} row
 * @param {ApiJob} job
 * @param {LiveProgress | undefined} live
 */
export function updateRowProgress(row, job, live) {
  const cell = row.querySelector('.progress-cell');
  cell?.replaceChildren(progressBar(job, live));
}
