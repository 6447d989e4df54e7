// The detection branches added to the encodes' filter graphs: a few numbers per sampled picture and
// the silences of the audio, written as `metadata=print` logs into the scratch directory. Pure.

/** Scratch file names of the two logs. */
export const detectLogs = { video: 'event-video.txt', audio: 'event-audio.txt' } as const;

/** Pictures sampled per second: fine enough for ±0.25 s, few enough to cost next to nothing. */
export const detectRate = 4;

/**
 * One more branch of the video graph: picks `detectRate` pictures a second before scaling them to a
 * thumbnail-sized 64×36 (so the measures read almost nothing), then per picture the share of black
 * pixels (blackframe with amount=0 reports it on every frame) and scdet's change from the picture
 * before (mafd, percent of full scale) and scene score. nullsink: nothing is encoded.
 */
export function videoDetectChain(input: string): string {
  return `${input}fps=${detectRate},scale=64:36,blackframe=amount=0:threshold=32,scdet=threshold=100,metadata=mode=print:file=${detectLogs.video},nullsink`;
}

/**
 * Put before the audio's own filters, on the decoded source: silencedetect marks where each silence
 * starts and ends (at least a second below -50 dBFS), ametadata prints those marks.
 */
export function audioDetectFilter(): string {
  return `silencedetect=noise=-50dB:duration=1,ametadata=mode=print:file=${detectLogs.audio}`;
}
