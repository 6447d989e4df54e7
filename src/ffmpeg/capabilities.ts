// What this machine's ffmpeg can do: asked once per process and cached (the listings on disk too).
import type { EncoderName } from '../media/types.ts';
import { encoders } from '../media/encoders/registry.ts';
import { cachedListing } from './listing-cache.ts';
import { runProcess } from './run-process.ts';

const listed = new Map<string, Promise<Set<string>>>();
const opened = new Map<string, Promise<boolean>>();

/** `ffmpeg -hide_banner <what>`'s output, from the on-disk cache when this ffmpeg was asked before. */
function listing(ffmpeg: string, what: '-encoders' | '-filters'): Promise<string> {
  const command = [ffmpeg, '-hide_banner', what];
  return cachedListing(ffmpeg, command.slice(1), async () => (await runProcess({ command, stage: 'probe', timeoutMs: 15_000 })).stdout);
}

export async function listEncoders(ffmpeg: string): Promise<Set<string>> {
  let pending = listed.get(ffmpeg);
  if (!pending) {
    pending = listing(ffmpeg, '-encoders').then((stdout) => {
      const names = new Set<string>();
      for (const line of stdout.split('\n')) {
        const match = /^\s[VAS][\w.]{5}\s+(\S+)/.exec(line);
        if (match?.[1]) names.add(match[1]);
      }
      return names;
    });
    listed.set(ffmpeg, pending);
  }
  return pending;
}

/** Hardware encoders are listed whether or not a device exists: open one for a few frames to know. */
async function canOpen(ffmpeg: string, name: EncoderName): Promise<boolean> {
  const key = `${ffmpeg}\0${name}`;
  let pending = opened.get(key);
  if (!pending) {
    pending = runProcess({
      command: [ffmpeg, '-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=size=256x144:rate=30:duration=0.2', '-c:v', name, '-f', 'null', '-'],
      stage: 'probe',
      timeoutMs: 20_000,
    }).then(() => true, () => false);
    opened.set(key, pending);
  }
  return pending;
}

/** Which encoders can actually run here. */
export async function usableEncoders(ffmpeg: string, wanted: readonly EncoderName[]): Promise<Set<EncoderName>> {
  const names = await listEncoders(ffmpeg);
  const usable = new Set<EncoderName>();
  for (const name of wanted) {
    if (!names.has(name)) continue;
    if (encoders[name].needsHardware && !(await canOpen(ffmpeg, name))) continue;
    usable.add(name);
  }
  return usable;
}

const filters = new Map<string, Promise<Set<string>>>();

/** The filters this ffmpeg has (e.g. libvmaf, which Debian's 5.1 is built without). */
export async function listFilters(ffmpeg: string): Promise<Set<string>> {
  let pending = filters.get(ffmpeg);
  if (!pending) {
    pending = listing(ffmpeg, '-filters').then((stdout) => {
      const names = new Set<string>();
      for (const line of stdout.split('\n')) {
        // " TSC ssim              VV->V      Calculate the SSIM …": flags, then the name.
        const match = /^\s[.A-Z|]{2,3}\s+(\w+)\s/.exec(line);
        if (match?.[1]) names.add(match[1]);
      }
      return names;
    });
    filters.set(ffmpeg, pending);
  }
  return pending;
}
