// The asset's player: hls.js on the master playlist (native HLS where the browser has no Media
// Source Extensions, e.g. Safari on iPhone), with its own controls: play, a seek bar with
// thumbnail previews, time, mute, rendition choice (automatic or one rendition) with the
// rendition playing now, and full screen.
import Hls from './vendor/hls.mjs';
import { h } from './dom.js';
import { clock, renditionLabel } from './format.js';
import { attachSeekPreview } from './seek-preview.js';
import { parseThumbnailTrack } from './thumbnails.js';

/**
 * @typedef {object} PlayerOptions
 * @property {string} src master playlist URL
 * @property {string} title for the video's accessible name
 * @property {string} [poster]
 * @property {string} [thumbnails] the WebVTT thumbnail track URL
 */

/**
 * @param {HTMLElement} slot
 * @param {PlayerOptions} options
 * @returns {{ destroy(): void }}
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

  if (Hls.isSupported()) return withHls(video, rendition, current, options.src, showError);
  if (video.canPlayType('application/vnd.apple.mpegurl')) {
    // The browser picks renditions itself; there is nothing to choose.
    video.src = options.src;
    rendition.replaceChildren(h('option', { value: '-1' }, 'Automatic (by the browser)'));
    rendition.disabled = true;
    current.textContent = 'chosen by the browser';
    return { destroy: () => video.removeAttribute('src') };
  }
  showError('This browser cannot play HLS (it has neither Media Source Extensions nor native HLS). Use the links below in another player.');
  return { destroy: () => {} };
}

/**
 * @param {HTMLVideoElement} video
 * @param {HTMLSelectElement} rendition
 * @param {HTMLOutputElement} current
 * @param {string} src
 * @param {(message: string) => void} showError
 */
function withHls(video, rendition, current, src, showError) {
  const hls = new Hls();
  let recoveredMedia = false;

  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    const levels = hls.levels.map((level, index) => ({ index, level })).sort((a, b) => (b.level.height - a.level.height) || (b.level.bitrate - a.level.bitrate));
    rendition.replaceChildren(
      h('option', { value: '-1' }, 'Automatic'),
      ...levels.map(({ index, level }) => h('option', { value: index }, renditionLabel(level))));
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
    const level = hls.levels[data.level];
    if (!level) return;
    current.textContent = `Playing ${renditionLabel(level)}${hls.autoLevelEnabled ? ' (automatic)' : ''}`;
    current.dataset['level'] = String(data.level);
    current.dataset['height'] = String(level.height);
  });
  hls.on(Hls.Events.ERROR, (_event, data) => {
    if (!data.fatal) return;
    if (data.type === Hls.ErrorTypes.NETWORK_ERROR) {
      showError(`The player lost the network (${data.details}); retrying.`);
      hls.startLoad();
    } else if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recoveredMedia) {
      recoveredMedia = true;
      hls.recoverMediaError();
    } else {
      showError(`The player stopped: ${data.details}${data.error ? ` (${data.error.message})` : ''}.`);
      hls.destroy();
    }
  });
  rendition.addEventListener('change', () => {
    // -1 hands the choice back to hls.js's bandwidth estimate; a level index pins that rendition
    // and switches at once (the buffer is flushed).
    hls.currentLevel = Number(rendition.value);
    if (hls.currentLevel === -1) current.textContent = current.textContent?.replace(/( \(automatic\))?$/, ' (automatic)') ?? '';
  });

  hls.loadSource(src);
  hls.attachMedia(video);
  return { destroy: () => hls.destroy() };
}
