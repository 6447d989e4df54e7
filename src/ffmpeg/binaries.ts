// Where ffmpeg and ffprobe live. Environment overrides let operators pin a build without PATH games.

export interface FfmpegBinaries {
  ffmpeg: string;
  ffprobe: string;
}

export function resolveBinaries(env: NodeJS.ProcessEnv = process.env): FfmpegBinaries {
  return {
    ffmpeg: env.LIVE2VOD_FFMPEG || 'ffmpeg',
    ffprobe: env.LIVE2VOD_FFPROBE || 'ffprobe',
  };
}
