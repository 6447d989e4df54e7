// The asset's links: a copyable playback URL, HLS, DASH, manifest.json, the download and the
// thumbnails, plus the renditions that were made with what was measured (quality-table.js). URLs in manifest.json are relative to the
// asset directory (the master playlist's directory).
import { copyLinkItem } from './copy-link.js';
import { h } from './dom.js';
import { bytes } from './format.js';
import { costSummary, renditionsTable } from './quality-table.js';

/**
 * A read-only URL field with a Copy button that says whether copying worked.
 * @param {string} id
 * @param {string} label
 * @param {string} url
 */
export function copyField(id, label, url) {
  const input = h('input', { id, type: 'text', readonly: true, value: url, spellcheck: 'false' });
  const said = h('span', { class: 'status muted', role: 'status' });
  const button = h('button', { type: 'button', class: 'quiet', 'aria-label': `Copy ${label}` }, 'Copy');
  button.addEventListener('click', async () => {
    said.textContent = await copyText(url, input) ? 'Copied.' : 'Selected: press Ctrl+C (⌘C) to copy.';
  });
  return h('div', { class: 'stack' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, input, button), said);
}

/**
 * @param {string} text
 * @param {HTMLInputElement | HTMLElement} [fallback] selected when the clipboard API is unavailable (plain http off localhost)
 */
export async function copyText(text, fallback) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (fallback instanceof HTMLInputElement) {
      fallback.focus();
      fallback.select();
    }
    return false;
  }
}

/**
 * The absolute URL of a file that manifest.json names (relative to the asset directory, which is
 * the master playlist's directory; signed links carry their token in that path).
 * @param {import('./types.js').AssetView} asset
 * @param {string} path
 */
export function assetFileUrl(asset, path) {
  return new URL(path, asset.urls.master).href;
}

/**
 * @param {import('./types.js').AssetView} asset
 */
export function assetLinks(asset) {
  /** @param {string} path */
  const url = (path) => assetFileUrl(asset, path);
  const manifest = asset.manifest;
  /** @type {[string, string][]} */
  const links = [
    ['HLS (master.m3u8)', asset.urls.master],
    ['DASH (manifest.mpd)', asset.urls.dash],
    ['manifest.json', asset.urls.manifest],
  ];
  if (manifest.download) links.push([`Download MP4 (${bytes(manifest.download.bytes)})`, url(manifest.download.file)]);
  if (manifest.thumbnails) {
    links.push(['Poster', url(manifest.thumbnails.poster)]);
    links.push(['Thumbnails (WebVTT)', url(manifest.thumbnails.vtt)]);
  }
  return h('div', {},
    copyField('playback-url', 'Playback URL (HLS master playlist, ready)', asset.urls.master),
    h('h3', {}, 'Files'),
    h('ul', { class: 'links', id: 'asset-files' }, links.map(([label, href]) => copyLinkItem(label, href, { download: label.startsWith('Download') }))),
    h('h3', {}, 'Renditions'),
    renditionsTable(manifest),
    h('h3', {}, 'Cost'),
    costSummary(manifest));
}
