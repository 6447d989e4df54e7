// The job list at /: filters and paging (kept in the URL), live updates from /v1/events, submit
// forms and per-job actions. Progress events patch rows in place; every other change reloads the
// page of jobs (debounced), so the list always matches the filters and paging the server applies.
import { statusActionHandlers } from './action-status.js';
import { ApiError, listJobs } from './api.js';
import { byId, h, options, replaceKeepingFocus } from './dom.js';
import { age, clock } from './format.js';
import { jobRow, updateRowProgress } from './job-table.js';
import { filtersSearch, fromSourceSelection, hasFilters, readFilters, sourceSelection, stateChoices, uploadsChoice } from './list-filters.js';
import { debounce, liveStream } from './live-stream.js';
import { Problems } from './problems.js';
import { assetSummary, loadAssetSummaries } from './row-assets.js';
import { openSubmitPanel, setupSubmitForms } from './submit-forms.js';
import { TokenPanel } from './token-panel.js';
import { priorities, sourceKinds } from './vocabulary.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {import('./types.js').JobChangeData} JobChangeData */

const pageSize = 20;

const rows = byId('job-rows', HTMLTableSectionElement);
const table = byId('jobs', HTMLTableElement);
const empty = byId('empty', HTMLElement);
const listStatus = byId('list-status', HTMLElement);
const actionStatus = byId('action-status', HTMLElement);
const filtersForm = byId('filters', HTMLFormElement);
const stateSelect = byId('filter-state', HTMLSelectElement);
const prioritySelect = byId('filter-priority', HTMLSelectElement);
const sourceSelect = byId('filter-source', HTMLSelectElement);
const newer = byId('page-newer', HTMLButtonElement);
const older = byId('page-older', HTMLButtonElement);

const tokens = new TokenPanel();
const problems = new Problems({ onRetry: () => void load(), onUnauthorized: (message) => tokens.open(message) });

let filters = readFilters(location.search);
/** Cursors of the pages before this one, for "Newer". */
let previous = previousFromState(history.state);
/** @type {ApiJob[]} */
let jobs = [];
/** @type {number | null} */
let nextCursor = null;
/** Speed and ETA from the latest progress event per job: not stored by the server. */
const live = /** @type {Map<string, { speed?: number, etaSeconds?: number }>} */ (new Map());
/** The recording's length from its probe (job.probed), shown until the asset has it. */
const probedSeconds = /** @type {Map<string, number>} */ (new Map());
let loaded = false;

const actionHandlers = statusActionHandlers(actionStatus, problems, () => void load());

function fillFilterControls() {
  stateSelect.replaceChildren(...options(stateChoices, filters.state));
  prioritySelect.replaceChildren(...options([['', 'Any priority'], ...priorities.map((p) => /** @type {const} */ ([p, p]))], filters.priority));
  sourceSelect.replaceChildren(...options([['', 'Any source'], [uploadsChoice, 'Uploads'], ...sourceKinds.map((s) => /** @type {const} */ ([s, s]))], sourceSelection(filters)));
}

async function load() {
  const asked = filtersSearch(filters);
  try {
    const page = await listJobs({ ...filters, limit: filters.limit ?? pageSize });
    // A newer request (another filter) may have finished first; keep only the current one.
    if (asked !== filtersSearch(filters)) return;
    jobs = page.items;
    nextCursor = page.nextCursor;
    loaded = true;
    problems.resolved();
    render();
    // Posters and durations of finished jobs come from their assets, after the rows are up.
    if (await loadAssetSummaries(jobs)) render();
  } catch (error) {
    if (problems.report(error)) {
      if (!loaded) listStatus.textContent = 'The job list could not be loaded.';
      return;
    }
    if (error instanceof ApiError) listStatus.textContent = `The job list could not be loaded: ${error.message}`;
  }
}

/**
 * @param {string} id
 * @param {import('./row-assets.js').AssetSummary | undefined} summary
 * @returns {import('./row-assets.js').AssetSummary | undefined}
 */
function withProbedDuration(id, summary) {
  const probed = probedSeconds.get(id);
  if (probed === undefined || summary?.durationSeconds !== undefined) return summary;
  return { poster: summary?.poster, durationSeconds: probed };
}

function render() {
  replaceKeepingFocus(rows, jobs.map((job) => jobRow(job, live.get(job.id), actionHandlers, withProbedDuration(job.id, assetSummary(job.id)))));
  const nothing = jobs.length === 0;
  table.hidden = nothing;
  empty.hidden = !nothing;
  if (nothing) {
    empty.replaceChildren(...(hasFilters(filters)
      ? [h('p', { class: 'empty-title' }, 'No jobs match these filters.'), h('button', { type: 'button', onclick: () => clearFilters() }, 'Show all jobs')]
      : filters.cursor !== undefined
        ? [h('p', { class: 'empty-title' }, 'No older jobs.')]
        : [
            h('p', { class: 'empty-title' }, 'The queue is empty: no jobs yet.'),
            h('p', {}, 'Upload a recording or give a source URI above, drop a file into the inbox folder, or point a recorder\'s webhook at /hooks/<source>.'),
          ]));
    // Nothing to look at yet: what there is to do is submit something.
    if (!hasFilters(filters) && filters.cursor === undefined) openSubmitPanel();
  }
  listStatus.textContent = nothing ? '' : `Showing ${jobs.length} job${jobs.length === 1 ? '' : 's'}${filters.cursor !== undefined ? ' (older page)' : ''}.`;
  newer.disabled = filters.cursor === undefined;
  older.disabled = nextCursor === null;
}

/**
 * The "Newer" stack saved with a history entry; anything else there (another app's state, an
 * older format) counts as none.
 * @param {unknown} state
 * @returns {(number | undefined)[]}
 */
function previousFromState(state) {
  const saved = state && typeof state === 'object' && 'previous' in state ? state.previous : undefined;
  if (!Array.isArray(saved)) return [];
  return saved.map((c) => (Number.isSafeInteger(c) && c > 0 ? c : undefined));
}

/** @param {{ push: boolean }} how */
function navigate(how) {
  const url = `${location.pathname}${filtersSearch(filters)}`;
  if (how.push) history.pushState({ previous }, '', url);
  else history.replaceState({ previous }, '', url);
  void load();
}

function clearFilters() {
  filters = { state: '', priority: '', source: '', upload: '', cursor: undefined, limit: filters.limit };
  previous = [];
  fillFilterControls();
  navigate({ push: true });
}

filtersForm.addEventListener('change', () => {
  filters = { state: stateSelect.value, priority: prioritySelect.value, ...fromSourceSelection(sourceSelect.value), cursor: undefined, limit: filters.limit };
  previous = [];
  navigate({ push: true });
});
filtersForm.addEventListener('submit', (event) => event.preventDefault());
filtersForm.addEventListener('reset', (event) => {
  event.preventDefault();
  clearFilters();
});
older.addEventListener('click', () => {
  if (nextCursor === null) return;
  previous = [...previous, filters.cursor];
  filters = { ...filters, cursor: nextCursor };
  navigate({ push: true });
});
newer.addEventListener('click', () => {
  filters = { ...filters, cursor: previous.at(-1) };
  previous = previous.slice(0, -1);
  navigate({ push: true });
});
addEventListener('popstate', () => {
  filters = readFilters(location.search);
  previous = previousFromState(history.state);
  fillFilterControls();
  void load();
});

setupSubmitForms({
  onCreated: () => {
    // The new job is on the first page; go there unless the user looks at an older one.
    if (filters.cursor === undefined) void load();
  },
  onProblem: (error) => problems.report(error),
});

const reloadSoon = debounce(() => void load(), 250);

/** @param {import('./event-stream.js').StreamEvent} event */
function onChange(event) {
  const data = /** @type {JobChangeData} */ (event.data);
  if (!data || typeof data !== 'object' || !data.job) return;
  if (event.type === 'job.probed') {
    const seconds = /** @type {{ durationSeconds?: unknown }} */ (data).durationSeconds;
    const cell = rows.querySelector(`tr[data-job-id="${CSS.escape(data.job.id)}"] td.duration`);
    if (typeof seconds === 'number' && seconds > 0) {
      probedSeconds.set(data.job.id, seconds);
      if (cell && cell.textContent === '—') cell.textContent = clock(seconds);
    }
    return;
  }
  if (event.type === 'job.step' || event.type === 'job.chunk') return;
  if (event.type === 'job.progress') {
    live.set(data.job.id, { ...(data.speed !== undefined ? { speed: data.speed } : {}), ...(data.etaSeconds !== undefined ? { etaSeconds: data.etaSeconds } : {}) });
    const index = jobs.findIndex((j) => j.id === data.job.id);
    const row = rows.querySelector(`tr[data-job-id="${CSS.escape(data.job.id)}"]`);
    if (index >= 0 && row instanceof HTMLElement) {
      jobs[index] = data.job;
      updateRowProgress(row, data.job, live.get(data.job.id));
    }
    return;
  }
  if (event.type !== 'job.started') live.delete(data.job.id);
  reloadSoon();
}

// Ages move on without events.
setInterval(() => {
  for (const time of rows.querySelectorAll('time')) time.textContent = age(time.dateTime);
}, 15_000);

fillFilterControls();
history.replaceState({ previous }, '', location.href);
void load();
liveStream('/v1/events', { onEvent: onChange, reload: () => void load(), problems });
