// Types for /ui/vendor/hls.mjs, which the server answers with hls.js's own ES module build from
// node_modules (see src/http/routes/dashboard-assets.ts).
export { default } from 'hls.js';
export * from 'hls.js';
