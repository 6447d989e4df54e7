// One audio rendition per source track: ids, languages, names, the default first. Pure.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commonLanguageNames, planAudio } from '../../src/media/plan-audio.ts';
import type { SourceAudio, SourceInfo } from '../../src/media/types.ts';

const stream = (index: number, tags: { language?: string; title?: string } = {}): SourceAudio => ({ index, codec: 'aac', channels: 2, sampleRate: 48000, startTime: 0, ...tags });
const options = { defaultLanguage: 'en', audioBitrateKbps: 128 };

function source(audio: SourceAudio, audioStreams?: SourceAudio[]): SourceInfo {
  return { formatName: 'mp4', duration: 10, sizeBytes: 1, audio, ...(audioStreams ? { audioStreams } : {}) };
}

test('one track: the rendition it always was', () => {
  const main = stream(1);
  assert.deepEqual(planAudio(source(main), main, options), [{ id: 'aac-128k', sourceIndex: 1, bitrateKbps: 128, sampleRate: 48000, channels: 2, language: 'en', name: 'English' }]);
});

test('two languages: the default track first, ids numbered, languages BCP 47, names from title or language', () => {
  const eng = stream(1, { language: 'eng' });
  const deu = stream(2, { language: 'deu', title: 'Dolmetscher' });
  const planned = planAudio(source(deu, [eng, deu]), deu, options);
  assert.deepEqual(planned.map((r) => [r.id, r.sourceIndex, r.language, r.name]), [
    ['aac-128k', 2, 'de', 'Dolmetscher'],
    ['aac-128k-2', 1, 'en', 'English'],
  ]);
});

test('untagged tracks after the first are "und"; names stay unique within the group', () => {
  const planned = planAudio(source(stream(1), [stream(1), stream(2), stream(3, { language: 'eng' }), stream(4, { language: 'pol' })]), stream(1), options);
  assert.deepEqual(planned.map((r) => [r.language, r.name]), [['en', 'English'], ['und', 'Audio 2'], ['en', 'English 2'], ['pol', 'Polish']]);
});

test('the names kept for the common languages are the ones Intl.DisplayNames gives', () => {
  const names = new Intl.DisplayNames(['en'], { type: 'language' });
  for (const [tag, name] of Object.entries(commonLanguageNames)) assert.equal(name, names.of(tag), tag);
  // Every ISO 639-2 code planAudio maps to a short tag has its name kept.
  const planned = planAudio(source(stream(1), ['eng', 'ger', 'fre', 'spa', 'ita', 'por', 'dut', 'jpn', 'chi'].map((language, i) => stream(i + 1, { language }))), stream(1), options);
  assert.deepEqual(planned.map((r) => r.name).filter((n) => !Object.values(commonLanguageNames).includes(n)), []);
});
