// The asset's chapters beside the player: each with its thumbnail, start and title; a click
// seeks the player there, and the chapter playing is marked. "Edit chapters" turns the list into a
// form (start as m:ss or seconds, title; add at the current time, remove) that saves through
// PATCH /v1/jobs/:id/chapters (`save`); nothing is re-encoded.
import { h } from './dom.js';
import { parseClock, preciseClock } from './format.js';
import { spriteImage } from './sprite-image.js';
import { spriteFrame } from './thumbnails.js';

/** @typedef {import('./types.js').Chapter} Chapter */

/**
 * @typedef {object} ChapterListOptions
 * @property {HTMLVideoElement} video
 * @property {readonly Chapter[]} chapters
 * @property {string} assetBaseUrl what chapter thumbnails are relative to (the asset directory)
 * @property {(chapters: { start: number, title: string }[]) => Promise<Chapter[]>} save
 *   writes the chapters; answers with them as stored, or throws with the server's reason
 * @property {(chapters: readonly Chapter[]) => void} [onSaved]
 */

/**
 * @param {HTMLElement} slot
 * @param {ChapterListOptions} options
 */
export function createChapterList(slot, options) {
  const { video } = options;
  let chapters = options.chapters;
  const status = h('p', { class: 'status', id: 'chapter-status', role: 'status' });
  const body = h('div', {});
  slot.replaceChildren(body, status);

  /** @param {string} text @param {'ok' | 'error' | undefined} kind */
  const say = (text, kind) => {
    status.textContent = text;
    if (kind) status.dataset['kind'] = kind;
    else delete status.dataset['kind'];
  };

  /** @type {HTMLButtonElement[]} */
  let buttons = [];
  const markPlaying = () => {
    const t = video.currentTime;
    let playing = -1;
    chapters.forEach((c, i) => { if (c.start <= t + 0.05) playing = i; });
    buttons.forEach((b, i) => {
      if (i === playing) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
  };
  video.addEventListener('timeupdate', markPlaying);
  video.addEventListener('seeked', markPlaying);

  const showList = () => {
    buttons = chapters.map((chapter, i) => {
      const frame = chapter.thumbnail ? spriteFrame(chapter.thumbnail, options.assetBaseUrl) : undefined;
      const button = h('button', { type: 'button', class: 'chapter', 'data-start': chapter.start, 'data-focus-key': `chapter:${i}` },
        frame ? spriteImage(frame, 'chapter-thumb') : null,
        h('span', { class: 'chapter-time' }, preciseClock(chapter.start)),
        h('span', { class: 'chapter-title' }, chapter.title));
      button.addEventListener('click', () => {
        video.currentTime = chapter.start;
        markPlaying();
      });
      return button;
    });
    const edit = h('button', { type: 'button', class: 'quiet', id: 'edit-chapters' }, 'Edit chapters');
    edit.addEventListener('click', () => {
      say('', undefined);
      showForm();
    });
    body.replaceChildren(h('ol', { class: 'chapter-list', id: 'chapter-list' }, buttons.map((b) => h('li', {}, b))), h('div', { class: 'actions-bar' }, edit));
    markPlaying();
  };

  const showForm = () => {
    const rows = h('ol', { class: 'chapter-rows', id: 'chapter-rows' });
    /** @param {{ start: number, title: string }} chapter */
    const addRow = (chapter) => {
      const start = h('input', { type: 'text', name: 'start', class: 'chapter-start', value: preciseClock(chapter.start), inputmode: 'decimal', spellcheck: 'false', required: true });
      const title = h('input', { type: 'text', name: 'title', class: 'chapter-title-input', value: chapter.title, maxlength: 200, required: true });
      const remove = h('button', { type: 'button', class: 'quiet' }, 'Remove');
      const row = h('li', { class: 'chapter-row' }, start, title, remove);
      remove.addEventListener('click', () => {
        row.remove();
        label();
      });
      rows.append(row);
    };
    // The rows' accessible names follow their order: "Start of chapter 2".
    const label = () => {
      [...rows.children].forEach((row, i) => {
        row.querySelector('.chapter-start')?.setAttribute('aria-label', `Start of chapter ${i + 1} (m:ss or seconds)`);
        row.querySelector('.chapter-title-input')?.setAttribute('aria-label', `Title of chapter ${i + 1}`);
        row.querySelector('button')?.setAttribute('aria-label', `Remove chapter ${i + 1}`);
      });
    };
    chapters.forEach(addRow);
    label();

    const add = h('button', { type: 'button', class: 'quiet', id: 'add-chapter' }, 'Add a chapter at the current time');
    add.addEventListener('click', () => {
      addRow({ start: Math.round(video.currentTime * 1000) / 1000, title: `Chapter ${rows.children.length + 1}` });
      label();
    });
    const cancel = h('button', { type: 'button', class: 'quiet', id: 'cancel-chapters' }, 'Cancel');
    cancel.addEventListener('click', () => {
      say('', undefined);
      showList();
    });
    const saveButton = h('button', { type: 'submit', id: 'save-chapters' }, 'Save chapters');
    const form = h('form', { id: 'chapter-form', novalidate: true }, rows, h('div', { class: 'actions-bar' }, add, saveButton, cancel));
    let saving = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (saving) return;
      const read = readRows(rows);
      if ('problem' in read) return say(read.problem, 'error');
      saving = true;
      saveButton.setAttribute('aria-disabled', 'true');
      say('Saving the chapters…', undefined);
      try {
        chapters = await options.save(read.chapters);
        showList();
        say('Chapters saved.', 'ok');
        options.onSaved?.(chapters);
      } catch (error) {
        say(`The chapters were not saved: ${error instanceof Error ? error.message : String(error)}`, 'error');
      } finally {
        saving = false;
        saveButton.removeAttribute('aria-disabled');
      }
    });
    body.replaceChildren(form);
    rows.querySelector('input')?.focus();
  };

  showList();
}

/**
 * The form's chapters in time order, or the first row that is not one.
 * @param {HTMLOListElement} rows
 * @returns {{ chapters: { start: number, title: string }[] } | { problem: string }}
 */
function readRows(rows) {
  /** @type {{ start: number, title: string }[]} */
  const chapters = [];
  for (const [i, row] of [...rows.children].entries()) {
    const startText = valueOf(row, '.chapter-start');
    const title = valueOf(row, '.chapter-title-input').trim();
    const start = parseClock(startText);
    if (!Number.isFinite(start)) return { problem: `Chapter ${i + 1}: "${startText}" is not a time; write m:ss (1:20) or seconds (80).` };
    if (!title) return { problem: `Chapter ${i + 1} needs a title.` };
    chapters.push({ start, title });
  }
  if (chapters.length === 0) return { problem: 'Keep at least one chapter.' };
  return { chapters: chapters.sort((a, b) => a.start - b.start) };
}

/**
 * @param {Element} row
 * @param {string} selector
 */
function valueOf(row, selector) {
  const input = row.querySelector(selector);
  return input instanceof HTMLInputElement ? input.value : '';
}
