// Shared JSDoc types. The API shapes come from the server's own zod schemas (type-only imports,
// erased in the browser), so the dashboard's type check fails when the API changes under it.

/** @typedef {import('../http/api-schemas.ts').ApiJob} ApiJob */
/** @typedef {ApiJob['state']} JobState */
/** @typedef {ApiJob['priority']} Priority */
/** @typedef {ApiJob['sourceKind']} SourceKind */
/** @typedef {NonNullable<ApiJob['error']>} JobError */
/** @typedef {import('zod').infer<typeof import('../http/api-schemas.ts').jobList>} JobList */
/** @typedef {import('zod').infer<typeof import('../http/api-schemas.ts').attemptList>['items'][number]} Attempt */
/** @typedef {import('zod').infer<typeof import('../http/api-schemas.ts').eventList>['items'][number]} JobLogEvent */
/** @typedef {import('../http/api-schemas.ts').ApiChapter} Chapter */
/** @typedef {import('zod').infer<typeof import('../http/api-schemas.ts').chaptersEdited>} ChaptersEdited */
/** @typedef {NonNullable<ApiJob['suggestedTrim']>} SuggestedTrim */

/**
 * GET /v1/assets/:id. The manifest is the asset's manifest.json; only the fields the dashboard
 * reads are typed here.
 * @typedef {object} AssetView
 * @property {string} id
 * @property {{ master: string, dash: string, manifest: string }} urls
 * @property {string | null} playableUrl
 * @property {AssetManifestView} manifest
 */

/**
 * @typedef {object} AssetManifestView
 * @property {number} duration
 * @property {SourceView} [source] the probed recording (manifests of older releases may lack it)
 * @property {{ id: string, width?: number, height?: number, averageBitrate: number, frameRate: number | null, quality?: { ssim: number | null, psnr: number | null, vmaf: number | null, frames: number } | null }[]} renditions
 * @property {{ averageBitrate: number } | null} [audio]
 * @property {{ windows: { startSeconds: number, seconds: number }[], frameStep: number, vmaf: boolean } | null} [quality] absent in manifests made before it was measured
 * @property {{ cpuSeconds: number, cpuSecondsPerSourceSecond: number, processes: number, byStage: Record<string, number> } | { cpuSeconds: null, cpuSecondsPerSourceSecond: null, reason: string }} [cost] absent in manifests made before it was measured
 * @property {{ poster: string, vtt: string, sprites: string[], intervalSeconds: number } | null} thumbnails
 * @property {{ file: string, bytes: number, renditionId?: string } | null} download
 * @property {Record<string, number>} timingsMs
 * @property {{ vtt: string, hls: string, list: Chapter[] } | null} [chapters] absent in manifests made before chapters were found
 */

/**
 * The recording as the worker probed it (manifest.json's `source`, src/media/types.ts SourceInfo).
 * @typedef {object} SourceView
 * @property {number} duration seconds
 * @property {number} sizeBytes
 * @property {string} formatName
 * @property {{ displayWidth: number, displayHeight: number, frameRate: { num: number, den: number }, codec: string }} [video]
 */

/**
 * What a live job change on the event streams carries (see src/http/routes/events.ts).
 * @typedef {object} JobChangeData
 * @property {string} at
 * @property {ApiJob} job
 * @property {number} [progress]
 * @property {number} [speed]
 * @property {number} [etaSeconds]
 */

export {};
