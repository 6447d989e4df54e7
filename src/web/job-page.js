// One job at /jobs/<id>: its state, actions, error, step timings, attempts and timeline, kept
// live by /v1/jobs/<id>/events; once the asset is ready, the player and the asset's links.
import { statusActionHandlers } from './action-status.js';
import { ApiError, createClip, editChapters, getAsset, getAttempts, getJob, getLog } from './api.js';
import { assetFileUrl, assetLinks, copyField, copyText } from './asset-panel.js';
import { createChapterList } from './chapter-list.js';
import { byId, h } from './dom.js';
import { createEventTimeline } from './event-timeline.js';
import { buildChunks, buildStepTimings, buildTimeline, renderAttempts, renderChunks, renderStepTimings, renderTimeline } from './job-history.js';
import { renderJobFacts } from './job-facts-panel.js';
import { withPlayable } from './job-timing.js';
import { renderJob, renderProgress } from './job-view.js';
import { debounce, liveStream } from './live-stream.js';
import { createPlayer } from './player.js';
import { Problems } from './problems.js';
import { TokenPanel } from './token-panel.js';
import { sourceName } from './format.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */
/** @typedef {import('./types.js').JobChangeData} JobChangeData */

const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const article = byId('job', HTMLElement);
const actionStatus = byId('action-status', HTMLElement);

const tokens = new TokenPanel();
const problems = new Problems({ onRetry: () => void load(), onUnauthorized: (message) => tokens.open(message) });

/** @type {ApiJob | undefined} */
let job;
/** @type {{ speed?: number, etaSeconds?: number } | undefined} */
let live;
let playerShown = false;
/** The finished asset once loaded: its manifest completes the job's facts. @type {import('./types.js').AssetView | undefined} */
let asset;
/** The job's log as last loaded: the probe's facts come from it while the job runs. @type {readonly import('./types.js').JobLogEvent[]} */
let logItems = [];

const actionHandlers = statusActionHandlers(actionStatus, problems, () => void load());

async function load() {
  try {
    const [current, attempts, log] = await Promise.all([getJob(id), getAttempts(id), getLog(id)]);
    problems.resolved();
    job = current;
    if (job.state !== 'running') live = undefined;
    renderJob(job, live, actionHandlers);
    renderUrls(job);
    byId('steps', HTMLElement).replaceChildren(renderStepTimings(buildStepTimings(log.items, attempts.items), attempts.items));
    byId('attempts', HTMLElement).replaceChildren(renderAttempts(attempts.items));
    byId('chunks', HTMLElement).replaceChildren(...[renderChunks(buildChunks(log.items, attempts.items))].filter((n) => n !== null));
    byId('timeline', HTMLElement).replaceChildren(...renderTimeline(withPlayable(buildTimeline(log.items, attempts.items), job)));
    logItems = log.items;
    renderJobFacts(job, asset, logItems, live?.speed);
    article.setAttribute('aria-busy', 'false');
    if (job.state === 'succeeded' && !playerShown) await showAsset(job);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return missing();
    if (problems.report(error)) return;
    actionStatus.dataset['kind'] = 'error';
    actionStatus.textContent = `The job could not be loaded: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** @param {ApiJob} current */
async function showAsset(current) {
  playerShown = true;
  const section = byId('asset', HTMLElement);
  section.hidden = false;
  try {
    asset = await getAsset(current.id);
    renderJobFacts(current, asset, logItems);
    const thumbs = asset.manifest.thumbnails;
    const player = createPlayer(byId('player-slot', HTMLElement), {
      src: asset.urls.master,
      title: sourceName(current),
      ...(thumbs ? { poster: assetFileUrl(asset, thumbs.poster), thumbnails: assetFileUrl(asset, thumbs.vtt) } : {}),
      // Signed links expire (storage.presignSeconds); the job, read again, has fresh ones.
      refresh: async () => (await getJob(current.id)).asset?.master,
    });
    showEventTools(current, asset, player.video);
    byId('asset-links', HTMLElement).replaceChildren(assetLinks(asset));
  } catch (error) {
    playerShown = false;
    if (problems.report(error)) return;
    byId('player-slot', HTMLElement).replaceChildren(h('p', { class: 'status', 'data-kind': 'error' }, `The asset could not be loaded: ${error instanceof Error ? error.message : String(error)}`));
  }
}

/**
 * Under the player: the event timeline (the suggested trim, a range to clip) and the chapters.
 * A clip is a new job: its page is where to go next.
 * @param {ApiJob} current
 * @param {import('./types.js').AssetView} shown
 * @param {HTMLVideoElement} video
 */
function showEventTools(current, shown, video) {
  const chapters = shown.manifest.chapters?.list ?? [];
  const timeline = createEventTimeline(byId('event-timeline', HTMLElement), {
    video,
    duration: shown.manifest.duration,
    title: sourceName(current),
    trim: current.suggestedTrim,
    chapters,
    onClip: async (clip) => {
      const made = await createClip(current.id, clip);
      location.assign(`/jobs/${encodeURIComponent(made.id)}`);
    },
  });
  const section = byId('chapters', HTMLElement);
  // An asset made without event detection has no chapter documents to rewrite.
  section.hidden = !shown.manifest.chapters;
  if (!shown.manifest.chapters) return;
  createChapterList(byId('chapter-body', HTMLElement), {
    video,
    chapters,
    assetBaseUrl: shown.urls.master,
    save: async (edited) => (await editChapters(current.id, edited)).chapters,
    onSaved: (saved) => timeline.setChapters(saved),
  });
}

/**
 * The playable (instant preview) and ready (ladder) URLs, as soon as each exists.
 * @param {ApiJob} current
 */
function renderUrls(current) {
  const section = byId('urls', HTMLElement);
  const fields = [];
  // Once ready, the asset section below has the playback URL and every link.
  if (current.playableUrl && current.state !== 'succeeded') fields.push(copyField('playable-url', 'Playable now (instant preview, HLS)', current.playableUrl));
  section.hidden = fields.length === 0;
  byId('url-list', HTMLElement).replaceChildren(...fields);
}

function missing() {
  article.hidden = true;
  const box = byId('job-missing', HTMLElement);
  box.hidden = false;
  box.replaceChildren(h('p', { class: 'empty-title' }, `There is no job ${id}.`), h('p', {}, 'It may have been mistyped, or the server uses a different store. ', h('a', { href: '/' }, 'See all jobs')));
  document.title = 'No such job · live2vod';
}

byId('copy-command', HTMLButtonElement).addEventListener('click', async (event) => {
  const button = /** @type {HTMLButtonElement} */ (event.currentTarget);
  const copied = await copyText(byId('error-command', HTMLElement).textContent ?? '');
  button.textContent = copied ? 'Copied' : 'Copy failed: select the text';
});

const reloadSoon = debounce(() => void load(), 200);

void load();
liveStream(`/v1/jobs/${encodeURIComponent(id)}/events`, {
  problems,
  reload: () => void load(),
  onEvent: (event) => {
    // The stream replays the log first; the REST load already showed it.
    if (event.id !== undefined || event.type === 'job.snapshot') return;
    const data = /** @type {JobChangeData} */ (event.data);
    if (event.type === 'job.progress' && data?.job && job) {
      live = { ...(data.speed !== undefined ? { speed: data.speed } : {}), ...(data.etaSeconds !== undefined ? { etaSeconds: data.etaSeconds } : {}) };
      job = { ...job, progress: data.job.progress };
      renderProgress(job, live);
      renderJobFacts(job, asset, logItems, live.speed);
      return;
    }
    reloadSoon();
  },
});
