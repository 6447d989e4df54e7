// One AAC rendition per audio track of the source, the default track first. Each keeps its
// language and gets a NAME of its own: HLS requires the NAMEs of one group to differ.
import type { AudioRendition, SourceAudio, SourceInfo } from './types.ts';

export interface AudioPlanOptions {
  /** BCP 47 language of the default track when the source does not say. */
  defaultLanguage: string;
  audioBitrateKbps: number;
}

/**
 * The default track keeps the id it always had (`aac-128k`), so a one-track asset is unchanged;
 * the others are numbered in source order (`aac-128k-2`). A track without a language tag is the
 * configured default language when it is the default track (as before), `und` otherwise: guessing
 * would give two tracks one language.
 */
export function planAudio(source: SourceInfo, main: SourceAudio, options: AudioPlanOptions): AudioRendition[] {
  const others = (source.audioStreams ?? [main]).filter((s) => s.index !== main.index);
  const base = `aac-${options.audioBitrateKbps}k`;
  const used = new Set<string>();
  return [main, ...others].map((stream, position) => {
    const language = bcp47(stream.language) ?? (position === 0 ? options.defaultLanguage : 'und');
    const name = uniqueName(stream.title ?? (language === 'und' ? `Audio ${position + 1}` : languageName(language)), used);
    return {
      id: position === 0 ? base : `${base}-${position + 1}`,
      sourceIndex: stream.index,
      bitrateKbps: options.audioBitrateKbps,
      sampleRate: 48000,
      channels: 2,
      language,
      name,
    };
  });
}

function uniqueName(wanted: string, used: Set<string>): string {
  let name = wanted;
  for (let n = 2; used.has(name); n++) name = `${wanted} ${n}`;
  used.add(name);
  return name;
}

const iso639: Record<string, string> = { eng: 'en', deu: 'de', ger: 'de', fra: 'fr', fre: 'fr', spa: 'es', ita: 'it', por: 'pt', nld: 'nl', dut: 'nl', jpn: 'ja', zho: 'zh', chi: 'zh' };

function bcp47(tag: string | undefined): string | undefined {
  if (!tag) return undefined;
  if (/^[a-z]{2}(-[A-Za-z0-9]+)*$/.test(tag)) return tag;
  // An ISO 639-2 code not in the table stays as it is: a valid tag, better than none.
  return iso639[tag.toLowerCase()] ?? (/^[a-z]{3}$/.test(tag) ? tag : undefined);
}

// Names of the tags the table above makes, so most jobs skip Intl.DisplayNames: its first use
// costs ~25 ms of CPU, which every worker would pay. A test keeps them equal to what it says.
export const commonLanguageNames: Readonly<Record<string, string>> = {
  en: 'English', de: 'German', fr: 'French', es: 'Spanish', it: 'Italian', pt: 'Portuguese', nl: 'Dutch', ja: 'Japanese', zh: 'Chinese',
};

function languageName(language: string): string {
  const common = commonLanguageNames[language];
  if (common) return common;
  try {
    return new Intl.DisplayNames(['en'], { type: 'language' }).of(language) ?? language;
  } catch {
    return language;
  }
}
