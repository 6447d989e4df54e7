// What happened to a job, from its event log and attempts: the timeline and the per-step
// timings. The builders are pure (tested without a browser); the render functions make the DOM.
import { h } from './dom.js';
import { duration } from './format.js';

/** @typedef {import('./types.js').JobLogEvent} JobLogEvent */
/** @typedef {import('./types.js').Attempt} Attempt */

/**
 * @typedef {object} TimelineItem
 * @property {string} at
 * @property {string} what
 * @property {string} [detail]
 * @property {'ok' | 'bad' | 'warn' | 'info'} tone
 */

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' ? value : undefined);
/** @param {unknown} value */
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/**
 * One entry per logged event (step and chunk reports excluded: they are drawn apart) and per attempt
 * start; oldest first.
 * @param {readonly JobLogEvent[]} events
 * @param {readonly Attempt[]} attempts
 * @returns {TimelineItem[]}
 */
export function buildTimeline(events, attempts) {
  /** @type {TimelineItem[]} */
  const items = [];
  for (const attempt of attempts) {
    items.push({ at: attempt.startedAt, what: `Attempt ${attempt.number} started`, tone: 'info', ...(attempt.counts ? {} : { detail: 'does not count towards the retry limit' }) });
  }
  for (const event of events) {
    const d = event.data;
    const error = /** @type {{ message?: unknown } | undefined} */ (d['error'] && typeof d['error'] === 'object' ? d['error'] : undefined);
    switch (event.type) {
      case 'job.queued':
        items.push({ at: event.at, what: 'Queued', tone: 'info', detail: [text(d['priority']) && `priority ${d['priority']}`, text(d['sourceKind']) && `from ${d['sourceKind']}`].filter(Boolean).join(', ') });
        break;
      case 'job.succeeded':
        items.push({ at: event.at, what: 'Asset ready', tone: 'ok' });
        break;
      case 'job.failed':
        items.push({ at: event.at, what: 'Failed', tone: 'bad', ...(text(error?.message) ? { detail: String(error?.message) } : {}) });
        break;
      case 'job.cancelled':
        items.push({ at: event.at, what: 'Cancelled', tone: 'warn', ...(text(d['reason']) ? { detail: String(d['reason']) } : {}) });
        break;
      case 'job.requeued':
        items.push({ at: event.at, what: d['outcome'] === 'failed' ? 'Attempt failed; queued for a retry' : 'Back in the queue', tone: 'warn', ...(text(d['reason']) ? { detail: String(d['reason']) } : {}) });
        break;
      case 'job.retried':
        items.push({ at: event.at, what: 'Retried by hand', tone: 'info', ...(text(d['from']) ? { detail: `was ${d['from']}` } : {}) });
        break;
      case 'job.step':
      case 'job.chunk':
      case 'job.probed':
        break;
      default:
        items.push({ at: event.at, what: event.type, tone: 'info' });
    }
  }
  return items.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/**
 * @typedef {object} StepTiming
 * @property {number} attempt
 * @property {string} step
 * @property {number} offsetMs from the attempt's start
 * @property {number | undefined} ms undefined while the step runs
 */

/**
 * Step timings from the `job.step` reports, each assigned to the attempt that was running when it
 * arrived. The offset places steps on a shared time axis: several run at once (encode, audio,
 * packaging).
 * @param {readonly JobLogEvent[]} events
 * @param {readonly Attempt[]} attempts
 * @returns {StepTiming[]}
 */
export function buildStepTimings(events, attempts) {
  const starts = attempts.map((a) => ({ number: a.number, at: Date.parse(a.startedAt) })).sort((a, b) => a.at - b.at);
  /** @type {Map<string, StepTiming>} */
  const open = new Map();
  /** @type {StepTiming[]} */
  const timings = [];
  for (const event of events) {
    if (event.type !== 'job.step') continue;
    const step = text(event.data['step']);
    if (!step) continue;
    const at = Date.parse(event.at);
    const attempt = [...starts].reverse().find((a) => a.at <= at) ?? starts[0];
    const number = attempt?.number ?? 1;
    const base = attempt?.at ?? at;
    const key = `${number}:${step}`;
    if (event.data['state'] === 'start') {
      const timing = { attempt: number, step, offsetMs: Math.max(0, at - base), ms: undefined };
      open.set(key, timing);
      timings.push(timing);
    } else if (event.data['state'] === 'end') {
      const ms = num(event.data['ms']);
      const started = open.get(key);
      if (started) {
        started.ms = ms ?? Math.max(0, at - base - started.offsetMs);
        open.delete(key);
      } else {
        // Only the end arrived (a lost report): place it by its duration.
        timings.push({ attempt: number, step, offsetMs: Math.max(0, at - base - (ms ?? 0)), ms });
      }
    }
  }
  return timings;
}

/**
 * @typedef {object} ChunkView
 * @property {number} index
 * @property {'waiting' | 'running' | 'done' | 'retrying' | 'failed'} state
 * @property {number | undefined} startSeconds
 * @property {number | undefined} endSeconds
 */

/**
 * The chunks of a job encoded in chunks, each in its last reported state during the latest attempt
 * (a chunk kept from an earlier attempt is reported done again); chunks not reported yet wait.
 * Empty for a job encoded whole.
 * @param {readonly JobLogEvent[]} events
 * @param {readonly Attempt[]} attempts
 * @returns {ChunkView[]}
 */
export function buildChunks(events, attempts) {
  const since = Math.max(0, ...attempts.map((a) => Date.parse(a.startedAt)).filter(Number.isFinite));
  /** @type {Map<number, ChunkView>} */
  const chunks = new Map();
  let count = 0;
  for (const event of events) {
    if (event.type !== 'job.chunk' || Date.parse(event.at) < since) continue;
    const index = num(event.data['index']);
    const state = text(event.data['state']);
    if (index === undefined || (state !== 'running' && state !== 'done' && state !== 'retrying' && state !== 'failed')) continue;
    count = Math.max(count, num(event.data['count']) ?? 0, index + 1);
    chunks.set(index, { index, state, startSeconds: num(event.data['startSeconds']), endSeconds: num(event.data['endSeconds']) });
  }
  return Array.from({ length: count }, (_, index) => chunks.get(index) ?? { index, state: 'waiting', startSeconds: undefined, endSeconds: undefined });
}

/** @param {number | undefined} seconds */
const clock = (seconds) => (seconds === undefined ? '?' : `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`);

/**
 * A strip of the recording's chunks coloured by state, with a one-line summary; nothing for a job
 * encoded whole.
 * @param {readonly ChunkView[]} chunks
 */
export function renderChunks(chunks) {
  if (chunks.length === 0) return null;
  /** @type {Record<ChunkView['state'], number>} */
  const tally = { done: 0, running: 0, retrying: 0, waiting: 0, failed: 0 };
  for (const c of chunks) tally[c.state] += 1;
  const summary = [`${tally.done} of ${chunks.length} chunks done`, ...(['running', 'retrying', 'waiting', 'failed'].filter((s) => tally[/** @type {ChunkView['state']} */ (s)] > 0).map((s) => `${tally[/** @type {ChunkView['state']} */ (s)]} ${s}`))].join(', ');
  return h('div', { class: 'chunks' },
    h('p', { class: 'chunks-summary' }, summary),
    h('ol', { class: 'chunk-strip', 'aria-label': 'Chunks of the recording' }, chunks.map((c) => h('li', { 'data-state': c.state, title: `chunk ${c.index + 1}: ${clock(c.startSeconds)}–${clock(c.endSeconds)}, ${c.state}` },
      h('span', { class: 'visually-hidden' }, `chunk ${c.index + 1} ${c.state}`)))));
}

/** @param {readonly TimelineItem[]} items */
export function renderTimeline(items) {
  return items.map((item) => h('li', { 'data-tone': item.tone },
    h('time', { datetime: item.at }, new Date(item.at).toLocaleString()), ' ',
    h('span', { class: 'what' }, item.what),
    item.detail ? h('span', { class: 'detail' }, item.detail) : null));
}

/**
 * A table of steps with a bar on the attempt's time axis (steps that overlap show as overlapping
 * bars). Only the latest attempt is drawn: earlier attempts are in the timeline. A step without
 * an end runs until now, or did not finish when its attempt has ended.
 * @param {readonly StepTiming[]} timings
 * @param {readonly Attempt[]} attempts
 * @param {number} [now]
 */
export function renderStepTimings(timings, attempts, now = Date.now()) {
  const latest = Math.max(...timings.map((t) => t.attempt));
  const shown = timings.filter((t) => t.attempt === latest);
  if (shown.length === 0) return h('p', { class: 'muted' }, 'No steps reported yet.');
  const attempt = attempts.find((a) => a.number === latest);
  const ended = attempt?.finishedAt ? Date.parse(attempt.finishedAt) : undefined;
  const elapsed = attempt ? (ended ?? now) - Date.parse(attempt.startedAt) : 0;
  const span = Math.max(1, elapsed, ...shown.map((t) => t.offsetMs + (t.ms ?? 0)));
  return h('table', { class: 'plain steps-table' },
    h('caption', { class: 'visually-hidden' }, `Steps of attempt ${latest}`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Step'), h('th', { scope: 'col' }, 'Took'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'When')))),
    h('tbody', {}, shown.map((t) => {
      const bar = h('span', {});
      // CSSOM, not a style attribute: the page's CSP allows no inline styles.
      bar.style.left = `${(t.offsetMs / span) * 100}%`;
      bar.style.width = `${((t.ms ?? Math.max(0, elapsed - t.offsetMs)) / span) * 100}%`;
      return h('tr', { 'data-step': t.step },
        h('td', {}, t.step),
        h('td', { class: 'num' }, t.ms !== undefined ? duration(t.ms) : ended === undefined ? 'running…' : 'did not finish'),
        h('td', {}, h('div', { class: 'gantt', 'aria-hidden': 'true' }, bar)));
    })));
}

/** @param {readonly Attempt[]} attempts */
export function renderAttempts(attempts) {
  if (attempts.length === 0) return h('p', { class: 'muted' }, 'No attempts yet.');
  return h('table', { class: 'plain attempts-table' },
    h('thead', {}, h('tr', {}, ...['#', 'Started', 'Took', 'Outcome'].map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, attempts.map((a) => h('tr', {},
      h('td', { class: 'num' }, a.number),
      h('td', {}, h('time', { datetime: a.startedAt }, new Date(a.startedAt).toLocaleTimeString())),
      h('td', { class: 'num' }, a.finishedAt ? duration(Date.parse(a.finishedAt) - Date.parse(a.startedAt)) : 'running…'),
      h('td', {}, a.outcome ?? 'running', a.reason ? h('span', { class: 'detail muted' }, ` — ${a.reason}`) : null)))));
}
