// What an asset's manifest.json measured, on the job page: per rendition its size, measured
// average bitrate and sampled quality against the source (SSIM, PSNR; VMAF where the worker's
// ffmpeg had libvmaf), and what the job cost in CPU. The labels are pure (tested in Node); the
// table is built with textContent only.
import { h } from './dom.js';
import { bitrate } from './format.js';

/** @typedef {import('./types.js').AssetManifestView} AssetManifestView */
/** @typedef {AssetManifestView['renditions'][number]['quality']} RenditionQuality */

/**
 * @param {RenditionQuality | undefined} quality
 * @returns {{ ssim: string, psnr: string, vmaf: string }}
 */
export function qualityLabels(quality) {
  return {
    ssim: typeof quality?.ssim === 'number' ? quality.ssim.toFixed(4) : '—',
    psnr: typeof quality?.psnr === 'number' ? `${quality.psnr.toFixed(1)} dB` : '—',
    vmaf: typeof quality?.vmaf === 'number' ? quality.vmaf.toFixed(1) : '—',
  };
}

/**
 * "312.4 CPU-s · 5.21 per source second (ffmpeg/ffprobe, 9 processes)", or why it is not known.
 * @param {AssetManifestView['cost'] | undefined} cost
 */
export function costLabel(cost) {
  if (!cost) return 'Not measured (an asset made before live2vod measured cost).';
  if (cost.cpuSeconds === null) return `Not measured: ${cost.reason}`;
  const processes = cost.processes === 1 ? '1 process' : `${cost.processes} processes`;
  return `${cost.cpuSeconds.toFixed(1)} CPU-s · ${cost.cpuSecondsPerSourceSecond.toFixed(2)} per source second (ffmpeg/ffprobe, ${processes})`;
}

/**
 * How the figures were sampled, for the table's caption.
 * @param {AssetManifestView['quality'] | undefined} quality
 */
export function samplingLabel(quality) {
  if (!quality) return 'Quality was not measured for this asset.';
  const seconds = quality.windows.reduce((sum, w) => sum + w.seconds, 0);
  const windows = quality.windows.length === 1 ? '1 window' : `${quality.windows.length} windows`;
  return `Quality against the source scaled to each size: ${windows}, ${seconds.toFixed(1)} s, ${quality.frameStep === 1 ? 'every frame' : `1 frame in ${quality.frameStep}`}.`;
}

/**
 * In a box that scrolls sideways on a phone rather than the page.
 * @param {AssetManifestView} manifest
 */
export function renditionsTable(manifest) {
  const vmaf = manifest.quality?.vmaf === true;
  const headings = ['Rendition', 'Size', 'Average bitrate (with audio)', 'SSIM', 'PSNR', ...(vmaf ? ['VMAF'] : [])];
  return h('div', { class: 'table-wrap' }, h('table', { class: 'plain', id: 'renditions' },
    h('caption', { class: 'muted' }, samplingLabel(manifest.quality)),
    h('thead', {}, h('tr', {}, headings.map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, manifest.renditions.map((r) => {
      const q = qualityLabels(r.quality);
      return h('tr', { 'data-rendition': r.id },
        h('td', {}, r.id),
        h('td', { class: 'num' }, r.width && r.height ? `${r.width}×${r.height}` : '—'),
        h('td', { class: 'num', 'data-bitrate': '' }, bitrate(streamedBitrate(r, manifest.audio))),
        h('td', { class: 'num', 'data-metric': 'ssim' }, q.ssim),
        h('td', { class: 'num', 'data-metric': 'psnr' }, q.psnr),
        vmaf ? h('td', { class: 'num', 'data-metric': 'vmaf' }, q.vmaf) : null);
    }))));
}

/**
 * What a viewer of this rendition streams on average: the video and the separate audio together,
 * the same sum as the master playlist's AVERAGE-BANDWIDTH, so the player and this table agree.
 * @param {{ averageBitrate: number }} rendition
 * @param {{ averageBitrate: number } | null | undefined} audio
 */
function streamedBitrate(rendition, audio) {
  return Math.ceil(rendition.averageBitrate + (audio?.averageBitrate ?? 0));
}

/** @param {AssetManifestView} manifest */
export function costSummary(manifest) {
  return h('p', { id: 'asset-cost' }, costLabel(manifest.cost));
}
