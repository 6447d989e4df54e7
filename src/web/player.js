// The asset's player: hls.js on the master playlist (native HLS where the browser has no Media
// Source Extensions, e.g. Safari on iPhone), with its own controls: play, a seek bar with
// thumbnail previews, time, mute, rendition choice (automatic or one rendition) with the
// rendition playing now, and full screen.
import Hls from './vendor/hls.mjs';
import { h } from './dom.js';
import { clock, renditionLabel } from './format.js';
import { freshRecoveryState, planRecovery } from './playback-recovery.js';
import { attachSeekPreview } from './seek-preview.js';
import { parseThumbnailTrack } from './thumbnails.js';

/**
 * @typedef {object} PlayerOptions
 * @property {string} src master playlist URL
 * @property {string} title for the video's accessible name
 * @property {string} [poster]
 * @property {string} [thumbnails] the WebVTT thumbnail track URL
 * @property {() => Promise<string | undefined>} [refresh] a fresh master playlist URL, for when
 *   the links have expired (signed links do); undefined when there is no asset any more
 */

/**
 * @param {HTMLElement} slot
 * @param {PlayerOptions} options
 * @returns {{ destroy(): void, video: HTMLVideoElement }} `video` for what drives the player from outside
 *   (chapters and the event timeline seek it)
 */
export function createPlayer(slot, options) {
  const video = h('video', { id: 'player', playsinline: true, preload: 'metadata', tabindex: 0, poster: options.poster, 'aria-label': `Video: ${options.title}` });
  const play = h('button', { type: 'button', id: 'play', 'aria-label': 'Play' }, '▶');
  const seek = h('input', { type: 'range', id: 'seek', min: 0, max: 0, step: 0.1, value: 0, 'aria-label': 'Seek', 'aria-valuetext': '0:00 of 0:00' });
  const seekWrap = h('div', { class: 'seek-wrap' }, seek);
  const time = h('span', { class: 'time', id: 'time' }, '0:00 / 0:00');
  const mute = h('button', { type: 'button', id: 'mute', 'aria-pressed': 'false' }, 'Mute');
  const rendition = h('select', { id: 'rendition' }, h('option', { value: '-1' }, 'Automatic'));
  const current = h('output', { id: 'current-rendition', class: 'current-rendition', 'aria-live': 'polite' }, '');
  const fullscreen = h('button', { type: 'button', id: 'fullscreen' }, 'Full screen');
  const error = h('p', { id: 'player-error', class: 'player-error', role: 'alert', hidden: true });
  const figure = h('figure', { class: 'player', 'aria-label': 'Player' },
    video,
    h('div', { class: 'controls' }, play, seekWrap, time, mute, h('label', {}, 'Quality', rendition), current, fullscreen),
    error);
  slot.replaceChildren(figure);

  /** @param {string} message */
  const showError = (message) => {
    error.textContent = message;
    error.hidden = false;
  };
  const togglePlay = () => {
    if (video.paused || video.ended) video.play().catch((reason) => showError(`The browser did not start playback: ${reason instanceof Error ? reason.message : String(reason)}`));
    else video.pause();
  };

  play.addEventListener('click', togglePlay);
  video.addEventListener('click', togglePlay);
  video.addEventListener('keydown', (event) => {
    if (event.key === ' ' || event.key === 'k') {
      event.preventDefault();
      togglePlay();
    } else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      event.preventDefault();
      video.currentTime = Math.max(0, video.currentTime + (event.key === 'ArrowRight' ? 5 : -5));
    }
  });
  const syncPlay = () => {
    const playing = !video.paused && !video.ended;
    play.textContent = playing ? '❚❚' : '▶';
    play.setAttribute('aria-label', playing ? 'Pause' : 'Play');
  };
  video.addEventListener('play', syncPlay);
  video.addEventListener('pause', syncPlay);
  video.addEventListener('ended', syncPlay);

  let dragging = false;
  const syncTime = () => {
    const duration = Number.isFinite(video.duration) ? video.duration : 0;
    seek.max = String(duration);
    if (!dragging) seek.value = String(video.currentTime);
    const text = `${clock(video.currentTime)} / ${clock(duration)}`;
    time.textContent = text;
    seek.setAttribute('aria-valuetext', `${clock(Number(seek.value))} of ${clock(duration)}`);
  };
  video.addEventListener('timeupdate', syncTime);
  video.addEventListener('durationchange', syncTime);
  video.addEventListener('loadedmetadata', syncTime);
  seek.addEventListener('pointerdown', () => { dragging = true; });
  seek.addEventListener('pointerup', () => { dragging = false; });
  seek.addEventListener('input', () => {
    video.currentTime = Number(seek.value);
    syncTime();
  });

  mute.addEventListener('click', () => { video.muted = !video.muted; });
  video.addEventListener('volumechange', () => {
    // A toggle button keeps its name; aria-pressed says its state.
    mute.setAttribute('aria-pressed', String(video.muted));
  });
  fullscreen.addEventListener('click', () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else figure.requestFullscreen?.().catch(() => showError('Full screen is not available here.'));
  });

  if (options.thumbnails) {
    const url = options.thumbnails;
    fetch(url, { cache: 'no-store' })
      .then((response) => (response.ok ? response.text() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((text) => attachSeekPreview(seekWrap, seek, () => video.duration, parseThumbnailTrack(text, url)))
      // Previews are a nicety: the player works without them.
      .catch((reason) => console.warn('live2vod: no thumbnail previews', reason));
  }

  if (Hls.isSupported()) return { ...withHls(video, rendition, current, options, { show: showError, clear: () => { error.hidden = true; } }), video };
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // The browser picks renditions itself; there is nothing to choose.
    video.src = options.src;
    rendition.replaceChildren(h('option', { value: '-1' }, 'Automatic (by the browser)'));
    rendition.disabled = true;
    current.textContent = 'chosen by the browser';
    return { destroy: () => video.removeAttribute('src'), video };
  }
  showError('This browser cannot play HLS (it has neither Media Source Extensions nor native HLS). Use the links below in another player.');
  return { destroy: () => {}, video };
}

/**
 * hls.js on `video`, recovering from errors as planRecovery says: bounded retries with backoff
 * after fatal network errors, a rebuild on fresh links at the same position when a link is refused
 * (403), else a readable error.
 * @param {HTMLVideoElement} video
 * @param {HTMLSelectElement} rendition
 * @param {HTMLOutputElement} current
 * @param {PlayerOptions} options
 * @param {{ show(message: string): void, clear(): void }} notice
 */
function withHls(video, rendition, current, options, notice) {
  /** @type {Hls} */
  let hls;
  let recovery = freshRecoveryState();
  /** A retry waiting for its backoff; cancelled by destroy() or a rebuild. */
  let retryTimer = /** @type {ReturnType<typeof setTimeout> | undefined} */ (undefined);
  let destroyed = false;
  /** Instances already destroyed (a stop, a rebuild): never destroyed or driven twice. */
  const ended = new WeakSet();
  /** @param {Hls} instance */
  const end = (instance) => {
    if (ended.has(instance)) return;
    ended.add(instance);
    instance.destroy();
  };

  /**
   * @param {string} src
   * @param {number} [startPosition] seconds; where a rebuilt player resumes
   */
  const start = (src, startPosition) => {
    hls = new Hls(startPosition !== undefined ? { startPosition } : {});
    const own = hls;
    own.on(Hls.Events.MANIFEST_PARSED, () => {
      const pinned = Number(rendition.value);
      const levels = own.levels.map((level, index) => ({ index, level })).sort((a, b) => (b.level.height - a.level.height) || (b.level.bitrate - a.level.bitrate));
      rendition.replaceChildren(
        h('option', { value: '-1' }, 'Automatic'),
        ...levels.map(({ index, level }) => h('option', { value: index }, renditionLabel(shownLevel(level)))));
      // A rebuilt player keeps the rendition the viewer chose.
      if (pinned >= 0 && pinned < own.levels.length) {
        rendition.value = String(pinned);
        own.nextLevel = pinned;
      }
    });
    own.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
      const level = own.levels[data.level];
      if (!level) return;
      current.textContent = `Playing ${renditionLabel(shownLevel(level))}${own.autoLevelEnabled ? ' (automatic)' : ''}`;
      current.dataset['level'] = String(data.level);
      current.dataset['height'] = String(level.height);
    });
    own.on(Hls.Events.FRAG_LOADED, () => {
      // Progress: earlier trouble is over, and the next one gets the full set of retries again.
      if (recovery.networkRetries > 0 || recovery.refreshed || recovery.mediaRecovered) notice.clear();
      recovery = freshRecoveryState();
    });
    own.on(Hls.Events.ERROR, (_event, data) => {
      if (own !== hls || ended.has(own)) return;
      const type = data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : data.type === Hls.ErrorTypes.MEDIA_ERROR ? 'media' : 'other';
      const planned = planRecovery({ fatal: data.fatal, type, details: data.details, status: data.response?.code || undefined, message: data.error?.message }, recovery, { canRefresh: options.refresh !== undefined });
      recovery = planned.state;
      const next = planned.recovery;
      if (next.kind === 'none') return;
      if (next.kind === 'recover-media') own.recoverMediaError();
      else if (next.kind === 'retry') {
        notice.show(next.message);
        retryTimer = setTimeout(() => own.startLoad(), next.delayMs);
      } else if (next.kind === 'refresh') {
        notice.show(next.message);
        // After this event: hls.js's own handlers for a non-fatal error still run after ours, and
        // must not find the instance destroyed under them.
        queueMicrotask(() => void rebuild());
      } else {
        notice.show(next.message);
        end(own);
      }
    });
    own.loadSource(src);
    own.attachMedia(video);
  };

  /** A new hls.js instance on fresh links, where the old one was, playing if it was. */
  const rebuild = async () => {
    const at = video.currentTime;
    const wasPlaying = !video.paused && !video.ended;
    clearTimeout(retryTimer);
    end(hls);
    /** @type {string | undefined} */
    let fresh;
    try {
      fresh = await options.refresh?.();
    } catch (error) {
      notice.show(`The video's link has expired and a fresh one could not be fetched: ${error instanceof Error ? error.message : String(error)}. Reload the page.`);
      return;
    }
    if (destroyed) return;
    if (!fresh) {
      notice.show('The video\'s link has expired and the job no longer has an asset. Reload the page.');
      return;
    }
    start(fresh, at);
    if (wasPlaying) video.play().catch(() => { /* the viewer presses Play */ });
  };

  rendition.addEventListener('change', () => {
    // -1 hands the choice back to hls.js's bandwidth estimate; a level index pins that rendition
    // and switches at once (the buffer is flushed). Between a rebuild's old and new instance the
    // choice is kept by the select alone (see MANIFEST_PARSED).
    if (ended.has(hls)) return;
    hls.currentLevel = Number(rendition.value);
    if (hls.currentLevel === -1) current.textContent = current.textContent?.replace(/( \(automatic\))?$/, ' (automatic)') ?? '';
  });

  start(options.src);
  return {
    destroy: () => {
      destroyed = true;
      clearTimeout(retryTimer);
      end(hls);
    },
  };
}

/**
 * The one bitrate the dashboard names a rendition by: its average with the audio (the master
 * playlist's AVERAGE-BANDWIDTH), as the asset's rendition table shows it; not the peak.
 * @param {{ height: number, width: number, averageBitrate: number, bitrate: number }} level
 */
function shownLevel(level) {
  return { height: level.height, width: level.width, bitrate: level.averageBitrate || level.bitrate };
}
