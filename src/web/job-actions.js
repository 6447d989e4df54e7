// Cancel, retry and priority controls for one job, shared by the list and the job page. Each
// control calls the API and hands the updated job (or the error) back to the page.
import { cancelJob, retryJob, setPriority } from './api.js';
import { h, options } from './dom.js';
import { sourceName } from './format.js';
import { isFinished, priorities } from './vocabulary.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */

/**
 * @typedef {object} ActionHandlers
 * @property {(job: ApiJob, what: string) => void} onDone `what` says what was done, e.g. "cancel talk.mp4"
 * @property {(error: unknown, what: string) => void} onError
 */

/** Controls whose action is in flight. */
const busy = new WeakSet();

/**
 * Runs one action, ignoring the control meanwhile (no double submits). aria-disabled rather than
 * disabled: disabling the focused control would drop keyboard focus to the page.
 * @param {HTMLButtonElement | HTMLSelectElement} control
 * @param {string} what
 * @param {() => Promise<ApiJob>} action
 * @param {ActionHandlers} handlers
 */
async function run(control, what, action, handlers) {
  if (busy.has(control)) return;
  busy.add(control);
  control.setAttribute('aria-disabled', 'true');
  control.setAttribute('aria-busy', 'true');
  try {
    handlers.onDone(await action(), what);
  } catch (error) {
    handlers.onError(error, what);
  } finally {
    busy.delete(control);
    control.removeAttribute('aria-disabled');
    control.removeAttribute('aria-busy');
  }
}

/**
 * The buttons that apply to this job now: Cancel while queued or running, Retry once failed or cancelled.
 * @param {ApiJob} job
 * @param {ActionHandlers} handlers
 * @returns {HTMLButtonElement[]}
 */
export function actionButtons(job, handlers) {
  const name = sourceName(job);
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  if (!isFinished(job.state)) {
    const cancel = h('button', { type: 'button', class: 'danger', 'data-focus-key': `${job.id}:cancel`, 'aria-label': `Cancel ${name}` }, 'Cancel');
    cancel.addEventListener('click', () => run(cancel, `cancel ${name}`, () => cancelJob(job.id), handlers));
    buttons.push(cancel);
  }
  if (job.state === 'failed' || job.state === 'cancelled') {
    // When the failure says a retry will not help (a broken source), Retry stays possible but is
    // not offered as the thing to do.
    const hopeless = job.state === 'failed' && job.error?.retryable === false;
    const retry = hopeless
      ? h('button', { type: 'button', class: 'quiet', 'data-focus-key': `${job.id}:retry`, 'aria-label': `Retry ${name} anyway`, title: 'The error says retrying will not help' }, 'Retry anyway')
      : h('button', { type: 'button', 'data-focus-key': `${job.id}:retry`, 'aria-label': `Retry ${name}` }, 'Retry');
    retry.addEventListener('click', () => run(retry, `retry ${name}`, () => retryJob(job.id), handlers));
    buttons.push(retry);
  }
  return buttons;
}

/**
 * A priority select while the job is queued (the only time the API lets it change), else the text.
 * @param {ApiJob} job
 * @param {ActionHandlers} handlers
 * @returns {HTMLElement}
 */
export function priorityControl(job, handlers) {
  if (job.state !== 'queued') return h('span', { class: `priority priority-${job.priority}` }, job.priority);
  const select = h('select', { class: 'priority-select', 'data-focus-key': `${job.id}:priority`, 'aria-label': `Priority of ${sourceName(job)}` },
    options(priorities.map((p) => [p, p]), job.priority));
  select.addEventListener('change', () => {
    const priority = priorities.find((p) => p === select.value);
    if (priority) void run(select, `set the priority of ${sourceName(job)} to ${priority}`, () => setPriority(job.id, priority), handlers);
  });
  return select;
}
