// The asset directory: prepared before any work, so an unwritable output fails in milliseconds;
// cleaned on failure, so a failed run leaves neither a partial asset nor a manifest.json.
import { readdir, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OutputError } from '../errors/index.ts';
import { chapterFiles } from '../media/event/chapters.ts';
import { writing } from './fs-errors.ts';
import { makeDirectories } from './make-directories.ts';

export const manifestName = 'manifest.json';
/** Written first and removed with the manifest written last: an interrupted run is recognisable. */
const partialMarker = '.live2vod-incomplete';
/** Everything a run writes at the asset root; only these are ever removed. */
const ownedEntries = ['master.m3u8', 'manifest.mpd', 'video', 'audio', 'thumbnails', 'download', 'instant', chapterFiles.vtt, chapterFiles.hls, manifestName, `${manifestName}.partial`, partialMarker, '.live2vod-chunks'];

export class OutputDir {
  readonly root: string;
  /** The top-most directory this run created, if it created any. */
  #createdFrom: string | undefined;
  /** Set once the directory was found to be ours and marked: only then may discard() remove anything. */
  #claimed = false;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /**
   * Makes the directory, checks it is ours to write, and clears a previous asset there, but for
   * the entries in `keep` (a chunked job resuming keeps its finished chunks).
   */
  async prepare(options: { keep?: readonly string[] } = {}): Promise<void> {
    this.#createdFrom = await writing(`the output directory ${this.root}`, () => makeDirectories(this.root));
    const info = await stat(this.root);
    if (!info.isDirectory()) throw new OutputError(`the output ${this.root} is not a directory`);
    const entries = await readdir(this.root);
    const foreign = entries.filter((e) => !ownedEntries.includes(e));
    const ours = entries.includes(manifestName) || entries.includes(partialMarker);
    if (entries.length > 0 && (!ours || foreign.length > 0)) {
      throw new OutputError(`the output directory ${this.root} is not empty and does not hold only a live2vod asset (found ${entries.slice(0, 5).join(', ')}); choose an empty or new directory`);
    }
    // The manifest goes first: from here on the directory does not claim to be complete.
    await rm(path.join(this.root, manifestName), { force: true });
    await writing(`the output directory ${this.root}`, () => writeFile(path.join(this.root, partialMarker), 'live2vod is writing this asset\n'));
    this.#claimed = true;
    for (const entry of ownedEntries) if (entry !== partialMarker && !options.keep?.includes(entry)) await rm(path.join(this.root, entry), { recursive: true, force: true });
  }

  path(...parts: string[]): string {
    return path.join(this.root, ...parts);
  }

  /** Whether the directory holds a finished asset: manifest.json there, no run in progress. */
  async isComplete(): Promise<boolean> {
    const entries = await readdir(this.root).catch(() => [] as string[]);
    return entries.includes(manifestName) && !entries.includes(partialMarker);
  }

  /** Called after manifest.json is written. */
  async markComplete(): Promise<void> {
    await unlink(path.join(this.root, partialMarker));
  }

  /** Removes whatever this run wrote; nothing at all if the directory was never claimed. */
  async discard(): Promise<void> {
    if (!this.#claimed) return;
    for (const entry of ownedEntries) await rm(path.join(this.root, entry), { recursive: true, force: true }).catch(() => undefined);
    // Directories this run created go too, up to the first it made; rmdir only removes empty ones.
    if (!this.#createdFrom) return;
    for (let dir = this.root; dir.startsWith(this.#createdFrom); dir = path.dirname(dir)) {
      if (!(await rmdir(dir).then(() => true, () => false))) break;
      if (dir === this.#createdFrom) break;
    }
  }
}

/**
 * Removes what an unfinished run left in `root` (an interrupted chunked run keeps its chunks for
 * the next attempt): only a directory that says it is incomplete, only live2vod's own entries,
 * and the directory itself once empty. A complete asset, or a directory that is not ours, stays.
 */
export async function removeIncompleteAsset(root: string): Promise<boolean> {
  const entries = await readdir(root).catch(() => undefined);
  if (!entries?.includes(partialMarker) || entries.includes(manifestName)) return false;
  for (const entry of ownedEntries) await rm(path.join(root, entry), { recursive: true, force: true });
  await rmdir(root).catch(() => undefined);
  return true;
}
