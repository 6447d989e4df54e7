// One frame cut out of a sprite sheet: an image the frame's size showing the sheet at its natural
// size, moved with object-position so that the frame shows (through the CSSOM, which the CSP
// allows). Not a clipping box around an absolutely placed sheet: inside a flex button with rounded
// corners chromium painted only the box's background, never the picture.
import { h } from './dom.js';

/**
 * @param {import('./thumbnails.js').SpriteFrame} frame
 * @param {string} className
 */
export function spriteImage(frame, className) {
  const image = h('img', { src: frame.url, alt: '', decoding: 'async', width: String(frame.w), height: String(frame.h) });
  image.style.objectPosition = `${-frame.x}px ${-frame.y}px`;
  return h('span', { class: className, 'aria-hidden': 'true' }, image);
}
