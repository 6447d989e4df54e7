// The timeline under the player: the suggested trim drawn on it (pre-show and post-show shaded),
// the chapters as ticks, the playhead, and a range chosen with "Set in" / "Set out" at the
// player's current time. "Apply trim" and "Make clip" ask for a clip (POST /v1/jobs/:id/clips,
// through `onClip`); a click on the track seeks.
import { h } from './dom.js';
import { clock, preciseClock } from './format.js';
import { rangeClip, spanOf, trimClip, trimCutsSomething, trimShading } from './event-range.js';

/**
 * @typedef {object} EventTimelineOptions
 * @property {HTMLVideoElement} video
 * @property {number} duration the asset's, seconds
 * @property {string} title the asset's title, for the clips' titles
 * @property {import('./types.js').SuggestedTrim | null} trim
 * @property {readonly import('./types.js').Chapter[]} chapters
 * @property {(clip: { start: number, end: number, title: string }) => Promise<void>} onClip
 *   asks for the clip; throws with a message a person can act on
 */

/**
 * @param {HTMLElement} slot
 * @param {EventTimelineOptions} options
 * @returns {{ setChapters(chapters: readonly import('./types.js').Chapter[]): void }}
 */
export function createEventTimeline(slot, options) {
  const { video, duration } = options;
  /** @type {number | undefined} */
  let inPoint;
  /** @type {number | undefined} */
  let outPoint;

  const shading = options.trim ? trimShading(options.trim, duration) : {};
  const preShow = shading.preShow ? placed(h('div', { class: 'pre-show', id: 'pre-show', title: 'Pre-show' }), shading.preShow) : null;
  const postShow = shading.postShow ? placed(h('div', { class: 'post-show', id: 'post-show', title: 'Post-show' }), shading.postShow) : null;
  const selection = h('div', { class: 'selection', id: 'clip-range', hidden: true });
  const playhead = h('div', { class: 'playhead', id: 'playhead' });
  const ticks = h('div', { class: 'chapter-ticks' });
  const track = h('div', { class: 'track', id: 'event-track', 'aria-hidden': 'true' }, preShow, postShow, selection, ticks, playhead);

  const status = h('p', { class: 'status', id: 'clip-status', role: 'status' });
  const rangeText = h('span', { id: 'clip-range-text', class: 'muted' }, 'No range chosen');
  const setIn = h('button', { type: 'button', class: 'quiet', id: 'set-in' }, 'Set in');
  const setOut = h('button', { type: 'button', class: 'quiet', id: 'set-out' }, 'Set out');
  const makeClip = h('button', { type: 'button', id: 'make-clip' }, 'Make clip');
  const cuts = trimCutsSomething(options.trim, duration);
  const applyTrim = options.trim && cuts ? h('button', { type: 'button', id: 'apply-trim' }, 'Apply trim') : null;

  const summary = options.trim
    ? h('div', { class: 'trim-summary', id: 'trim-summary' },
      cuts
        ? h('p', {}, `Suggested trim: the event runs ${preciseClock(options.trim.start)}–${preciseClock(options.trim.end)} of ${clock(duration)}.`)
        : h('p', { class: 'muted' }, 'No pre-show or post-show was found: nothing to trim.'),
      options.trim.why.length > 0 ? h('ul', { class: 'muted' }, options.trim.why.map((line) => h('li', {}, line))) : null)
    : null;

  slot.replaceChildren(h('div', { class: 'event-timeline' },
    track,
    summary,
    h('div', { class: 'actions-bar' }, applyTrim, setIn, setOut, rangeText, makeClip),
    status));

  /** @param {string} text @param {'ok' | 'error' | undefined} kind */
  const say = (text, kind) => {
    status.textContent = text;
    if (kind) status.dataset['kind'] = kind;
    else delete status.dataset['kind'];
  };

  const drawRange = () => {
    if (inPoint === undefined && outPoint === undefined) {
      selection.hidden = true;
      rangeText.textContent = 'No range chosen';
      return;
    }
    const from = inPoint ?? 0;
    const to = outPoint ?? duration;
    placed(selection, spanOf(from, to, duration));
    selection.hidden = false;
    rangeText.textContent = `In ${inPoint === undefined ? '—' : preciseClock(inPoint)} · Out ${outPoint === undefined ? '—' : preciseClock(outPoint)}`;
  };

  setIn.addEventListener('click', () => {
    inPoint = video.currentTime;
    if (outPoint !== undefined && outPoint <= inPoint) outPoint = undefined;
    drawRange();
  });
  setOut.addEventListener('click', () => {
    outPoint = video.currentTime;
    if (inPoint !== undefined && inPoint >= outPoint) inPoint = undefined;
    drawRange();
  });

  /** Controls whose request is in flight: no double submits. */
  let busy = false;
  /** @param {HTMLButtonElement} button @param {{ start: number, end: number, title: string }} clip */
  const ask = async (button, clip) => {
    if (busy) return;
    busy = true;
    button.setAttribute('aria-disabled', 'true');
    say(`Making the clip ${preciseClock(clip.start)}–${preciseClock(clip.end)}…`, undefined);
    try {
      await options.onClip(clip);
    } catch (error) {
      say(`The clip could not be made: ${error instanceof Error ? error.message : String(error)}`, 'error');
    } finally {
      busy = false;
      button.removeAttribute('aria-disabled');
    }
  };

  const trim = options.trim;
  if (applyTrim && trim) applyTrim.addEventListener('click', () => void ask(applyTrim, trimClip(trim, options.title)));
  makeClip.addEventListener('click', () => {
    const made = rangeClip(inPoint, outPoint, options.title);
    if ('problem' in made) say(made.problem, 'error');
    else void ask(makeClip, made.clip);
  });

  track.addEventListener('click', (event) => {
    const rect = track.getBoundingClientRect();
    if (rect.width > 0) video.currentTime = Math.min(duration, Math.max(0, ((event.clientX - rect.left) / rect.width) * duration));
  });
  const movePlayhead = () => {
    playhead.style.left = `${spanOf(0, video.currentTime, duration).width}%`;
  };
  video.addEventListener('timeupdate', movePlayhead);
  video.addEventListener('seeked', movePlayhead);

  /** @param {readonly import('./types.js').Chapter[]} chapters */
  const setChapters = (chapters) => {
    ticks.replaceChildren(...chapters.map((c) => {
      const tick = h('div', { class: 'chapter-tick', title: c.title, 'data-start': c.start });
      tick.style.left = `${spanOf(0, c.start, duration).width}%`;
      return tick;
    }));
  };
  setChapters(options.chapters);
  movePlayhead();
  return { setChapters };
}

/**
 * @template {HTMLElement} E
 * @param {E} element
 * @param {import('./event-range.js').Span} span
 * @returns {E}
 */
function placed(element, span) {
  element.style.left = `${span.left}%`;
  element.style.width = `${span.width}%`;
  return element;
}
