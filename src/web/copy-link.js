// A link with its own Copy button, for lists of asset files: people paste these URLs into a
// player, a CMS or curl more often than they click them.
import { h } from './dom.js';

/**
 * @param {string} label
 * @param {string} href
 * @param {{ download?: boolean }} [options]
 */
export function copyLinkItem(label, href, options = {}) {
  const said = h('span', { class: 'copy-said muted', role: 'status' });
  const button = h('button', { type: 'button', class: 'quiet small', 'aria-label': `Copy the URL of ${label}` }, 'Copy');
  button.addEventListener('click', async () => {
    // The clipboard API only, without asset-panel's fallback (an input to select): a link has its own "copy link" menu.
    said.textContent = await Promise.resolve().then(() => navigator.clipboard.writeText(href)).then(() => true, () => false) ? 'Copied.' : 'Copy failed: use the link\'s menu.';
  });
  return h('li', { class: 'copy-link' }, h('a', { href, ...(options.download ? { download: '' } : {}) }, label), button, said);
}
