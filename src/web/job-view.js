// The top of a job's page: title, state, facts, actions, progress, what to expect next, and the
// error with ffmpeg's stderr tail and the command that failed.
import { byId, h, replaceKeepingFocus } from './dom.js';
import { age, sourceName } from './format.js';
import { actionButtons, priorityControl } from './job-actions.js';
import { progressBar, stateBadge } from './job-table.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {import('./job-table.js').LiveProgress} LiveProgress */

/**
 * @param {ApiJob} job
 * @param {LiveProgress | undefined} live
 * @param {import('./job-actions.js').ActionHandlers} handlers
 */
export function renderJob(job, live, handlers) {
  const name = sourceName(job);
  document.title = `${name} · live2vod`;
  byId('job-title', HTMLElement).textContent = name;
  byId('job-state', HTMLElement).replaceChildren(stateBadge(job));

  /** @type {[string, Node | string][]} */
  const facts = [
    ['Source', h('code', {}, job.source)],
    ['Source kind', job.sourceKind],
    ['Priority', priorityControl(job, handlers)],
    ['Attempts', `${job.attempts} of at most ${job.maxAttempts}`],
    ['Created', h('time', { datetime: job.createdAt, title: job.createdAt }, `${new Date(job.createdAt).toLocaleString()} (${age(job.createdAt) === 'just now' ? 'just now' : `${age(job.createdAt)} ago`})`)],
  ];
  if (job.startedAt) facts.push(['Started', h('time', { datetime: job.startedAt }, new Date(job.startedAt).toLocaleString())]);
  if (job.finishedAt) facts.push(['Finished', h('time', { datetime: job.finishedAt }, new Date(job.finishedAt).toLocaleString())]);
  // A clip links its parent (metadata.clipOf holds the same id, shown as the link instead).
  if (job.parentJobId) facts.push(['Clip of', h('a', { href: `/jobs/${encodeURIComponent(job.parentJobId)}` }, job.parentJobId)]);
  for (const [key, value] of Object.entries(job.metadata)) if (!(job.parentJobId && key === 'clipOf')) facts.push([key, value]);
  facts.push(['Job id', h('code', {}, job.id)]);
  replaceKeepingFocus(byId('job-meta', HTMLElement), facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
  replaceKeepingFocus(byId('job-actions', HTMLElement), [...nextStep(job), ...actionButtons(job, handlers)]);

  renderProgress(job, live);
  renderNotice(job);
  renderError(job.error);
}

/**
 * @param {ApiJob} job
 * @param {LiveProgress | undefined} live
 */
export function renderProgress(job, live) {
  const slot = byId('job-progress', HTMLElement);
  slot.hidden = job.state !== 'running';
  if (!slot.hidden) slot.replaceChildren(progressBar(job, live));
}

/** @param {ApiJob} job */
function renderNotice(job) {
  const notice = byId('job-notice', HTMLElement);
  /** @type {(Node | string)[]} */
  let content = [];
  if (job.state === 'queued') content = [job.error ? 'The last attempt failed; this job waits for its next attempt. ' : 'Waiting for a free worker. ', 'The asset will appear here when it is ready.'];
  else if (job.state === 'running') {
    content = job.playableUrl
      ? ['Still processing. A preview is playable already: ', h('a', { href: job.playableUrl }, 'the instant stream-copy playlist'), '. The player appears here when the ladder is ready.']
      : ['Still processing: the asset is not ready yet. The player appears here when it is.'];
  } else if (job.state === 'cancelled') content = ['This job was cancelled. Retry it to transcode the recording again.'];
  notice.hidden = content.length === 0;
  notice.dataset['state'] = job.state;
  notice.replaceChildren(...content);
}

/** @param {ApiJob['error']} error */
function renderError(error) {
  const panel = byId('job-error', HTMLElement);
  panel.hidden = !error;
  if (!error) return;
  byId('error-message', HTMLElement).textContent = error.message;
  byId('error-code', HTMLElement).textContent = `Code ${error.code}; ${error.retryable ? 'a retry may help' : 'retrying will not help: the source itself is the problem'}.`;
  byId('error-stderr-block', HTMLElement).hidden = !error.stderrTail;
  byId('error-stderr', HTMLElement).textContent = error.stderrTail ?? '';
  byId('error-command-block', HTMLElement).hidden = !error.command;
  byId('error-command', HTMLElement).textContent = error.command ?? '';
}

/**
 * The main action when retrying will not help: submit the recording again, fixed or re-exported.
 * @param {ApiJob} job
 */
function nextStep(job) {
  if (job.state !== 'failed' || job.error?.retryable !== false) return [];
  return [h('a', { class: 'button', href: '/#submit', id: 'submit-fixed' }, 'Submit a fixed recording')];
}
