// The job list's filters and page, kept in the URL (?state=&priority=&source=&upload=&cursor=) so a
// reload, a bookmark or the back button shows the same list. Pure: tested without a browser.
import { jobStates, priorities, sourceKinds } from './vocabulary.js';

/**
 * @typedef {object} ListFilters
 * @property {string} state comma-separated states, '' for any
 * @property {string} priority
 * @property {string} source
 * @property {'' | 'true'} upload 'true': uploads only
 * @property {number | undefined} cursor the page's cursor (older than this job sequence)
 * @property {number | undefined} limit jobs per page; undefined for the default
 */

/** The API allows 1–500 per page; a page longer than this is no longer glanceable. */
const maxPageSize = 100;

/**
 * Keeps only values the API knows: a hand-edited URL must not turn into a 400 from the server.
 * @param {string | null} value
 * @param {readonly string[]} allowed
 */
function known(value, allowed) {
  return (value ?? '').split(',').map((v) => v.trim()).filter((v) => allowed.includes(v)).join(',');
}

/**
 * @param {string} search location.search
 * @returns {ListFilters}
 */
export function readFilters(search) {
  const query = new URLSearchParams(search);
  const cursor = Number(query.get('cursor'));
  const limit = Number(query.get('limit'));
  return {
    state: known(query.get('state'), jobStates),
    priority: known(query.get('priority'), priorities),
    source: known(query.get('source'), sourceKinds),
    upload: query.get('upload') === 'true' ? 'true' : '',
    cursor: Number.isSafeInteger(cursor) && cursor > 0 ? cursor : undefined,
    limit: Number.isSafeInteger(limit) && limit >= 1 && limit <= maxPageSize ? limit : undefined,
  };
}

/**
 * @param {ListFilters} filters
 * @returns {string} '?…' or '' when nothing is set
 */
export function filtersSearch(filters) {
  const query = new URLSearchParams();
  if (filters.state) query.set('state', filters.state);
  if (filters.priority) query.set('priority', filters.priority);
  if (filters.source) query.set('source', filters.source);
  if (filters.upload) query.set('upload', filters.upload);
  if (filters.cursor !== undefined) query.set('cursor', String(filters.cursor));
  if (filters.limit !== undefined) query.set('limit', String(filters.limit));
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** @param {ListFilters} filters */
export function hasFilters(filters) {
  return Boolean(filters.state || filters.priority || filters.source || filters.upload);
}

/** The state filter's choices: any, the active ones together, then each state. */
export const stateChoices = /** @type {const} */ ([
  ['', 'Any state'],
  ['queued,running', 'Active (queued or running)'],
  ['queued', 'Queued'],
  ['running', 'Running'],
  ['succeeded', 'Done'],
  ['failed', 'Failed'],
  ['cancelled', 'Cancelled'],
]);

/**
 * The Source select's value for uploads. Uploads are not a source kind (they arrive as `api`) but
 * people look for them as one, so the select offers them beside the kinds; the API filters them
 * with upload=true.
 */
export const uploadsChoice = 'upload';

/** @param {ListFilters} filters the Source select's value */
export function sourceSelection(filters) {
  return filters.upload ? uploadsChoice : filters.source;
}

/**
 * @param {string} value the Source select's value
 * @returns {Pick<ListFilters, 'source' | 'upload'>}
 */
export function fromSourceSelection(value) {
  return value === uploadsChoice ? { source: '', upload: 'true' } : { source: value, upload: '' };
}
