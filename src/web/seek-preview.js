// Thumbnail previews over the seek bar: hovering (or moving it with the keyboard) shows the
// sprite frame for that time, cut out of the sprite image by the cue's rectangle.
import { h } from './dom.js';
import { clock } from './format.js';
import { cueAt } from './thumbnails.js';

/**
 * @param {HTMLElement} wrap positioned container of the range input
 * @param {HTMLInputElement} range
 * @param {() => number} getDuration
 * @param {readonly import('./thumbnails.js').ThumbnailCue[]} cues
 */
export function attachSeekPreview(wrap, range, getDuration, cues) {
  const image = h('img', { alt: '', decoding: 'async' });
  const frame = h('div', { class: 'frame' }, image);
  const label = h('span', {});
  // Decorative for screen readers: the range's aria-valuetext already says the time.
  const preview = h('div', { id: 'seek-preview', class: 'seek-preview', 'aria-hidden': 'true', hidden: true }, frame, label);
  wrap.append(preview);

  /** @param {number} ratio 0–1 along the bar */
  const show = (ratio) => {
    const duration = getDuration();
    if (cues.length === 0 || !(duration > 0)) return;
    const time = Math.min(duration, Math.max(0, ratio * duration));
    const cue = cueAt(cues, time);
    if (!cue) return;
    if (image.src !== cue.url) image.src = cue.url;
    frame.style.width = `${cue.w}px`;
    frame.style.height = `${cue.h}px`;
    image.style.left = `${-cue.x}px`;
    image.style.top = `${-cue.y}px`;
    label.textContent = clock(time);
    const width = range.getBoundingClientRect().width;
    // Kept inside the bar's width so the preview never leaves the player on a phone.
    const half = cue.w / 2 + 2;
    preview.style.left = `${Math.min(Math.max(ratio * width, half), Math.max(half, width - half))}px`;
    preview.dataset['time'] = time.toFixed(1);
    preview.hidden = false;
  };
  const hide = () => {
    preview.hidden = true;
  };
  const fromValue = () => {
    const max = Number(range.max);
    if (max > 0) show(Number(range.value) / max);
  };

  range.addEventListener('pointermove', (event) => {
    const rect = range.getBoundingClientRect();
    if (rect.width > 0) show((event.clientX - rect.left) / rect.width);
  });
  range.addEventListener('pointerleave', hide);
  range.addEventListener('keydown', (event) => {
    if (event.key.startsWith('Arrow') || event.key === 'Home' || event.key === 'End' || event.key.startsWith('Page')) requestAnimationFrame(fromValue);
  });
  range.addEventListener('blur', hide);
}
