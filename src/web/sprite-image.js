// One frame cut out of a sprite sheet: a clipping box the frame's size holding the whole sheet,
// moved so that the frame shows (positions through the CSSOM, which the CSP allows).
import { h } from './dom.js';

/**
 * @param {import('./thumbnails.js').SpriteFrame} frame
 * @param {string} className
 */
export function spriteImage(frame, className) {
  const image = h('img', { src: frame.url, alt: '', decoding: 'async' });
  image.style.left = `${-frame.x}px`;
  image.style.top = `${-frame.y}px`;
  const box = h('span', { class: className, 'aria-hidden': 'true' }, image);
  box.style.width = `${frame.w}px`;
  box.style.height = `${frame.h}px`;
  return box;
}
