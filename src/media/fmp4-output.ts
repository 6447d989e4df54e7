// Muxer settings for the intermediate fragmented MP4 each rendition is written to; the packager
// splits these files into CMAF init + segments (see src/media/mp4).

/** One fragment per GOP, each starting with its IDR; CTS offsets may be negative so PTS starts at the DTS. */
export const videoFmp4Args: readonly string[] = [
  '-f', 'mp4',
  // Write each fragment as soon as it is complete: the packager follows these files during the encode.
  '-flush_packets', '1',
  '-movflags', '+frag_keyframe+empty_moov+default_base_moof+negative_cts_offsets',
];

/** Every audio frame is a sync sample, so fragments are cut by duration (about 2 s). */
export const audioFmp4Args: readonly string[] = [
  '-f', 'mp4',
  '-flush_packets', '1',
  '-movflags', '+empty_moov+default_base_moof',
  '-frag_duration', '2000000',
];

/** Options every ffmpeg run shares: no prompts, overwrite scratch files, quiet but not silent. */
export const commonArgs: readonly string[] = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];

/** Machine-readable progress on stdout instead of the interactive status line. */
export const progressArgs: readonly string[] = ['-progress', 'pipe:1', '-nostats'];
