// One row of the job list per job: source, priority, state, progress (with speed and ETA while
// it runs), attempts, age, actions. On narrow screens CSS turns rows into cards, labelled by
// each cell's data-label.
import { h } from './dom.js';
import { age, progressLabel, sourceName } from './format.js';
import { actionButtons, priorityControl } from './job-actions.js';
import { stateLabels } from './vocabulary.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {{ speed?: number | undefined, etaSeconds?: number | undefined }} LiveProgress */

/**
 * @param {ApiJob} job
 * @param {LiveProgress | undefined} live
 * @param {import('./job-actions.js').ActionHandlers} handlers
 */
export function jobRow(job, live, handlers) {
  const name = sourceName(job);
  return h('tr', { 'data-job-id': job.id, 'data-state': job.state },
    h('td', { 'data-label': 'Source', class: 'source' },
      h('a', { href: `/jobs/${encodeURIComponent(job.id)}`, 'data-focus-key': `${job.id}:link`, title: job.source }, name),
      h('span', { class: 'muted' }, job.sourceKind)),
    h('td', { 'data-label': 'Priority' }, priorityControl(job, handlers)),
    h('td', { 'data-label': 'State' }, stateBadge(job)),
    h('td', { 'data-label': 'Progress', class: 'progress-cell' }, progressBar(job, live)),
    h('td', { 'data-label': 'Attempts', class: 'num' }, `${job.attempts} / ${job.maxAttempts}`),
    h('td', { 'data-label': 'Age' }, h('time', { datetime: job.createdAt, title: new Date(job.createdAt).toLocaleString() }, age(job.createdAt))),
    h('td', { 'data-label': 'Actions', class: 'actions' }, actionButtons(job, handlers)),
  );
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
