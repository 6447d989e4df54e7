// "Submit a recording": upload a file (POST /v1/uploads, with upload progress) or name a source
// URI (POST /v1/jobs). The outcome is announced in a status line with a link to the new job. The
// forms sit in a <details> folded away under the list's heading: the list is what people come for.
import { ApiError, createJob, uploadRecording } from './api.js';
import { byId, h, options } from './dom.js';
import { bytes, sourceName } from './format.js';
import { priorities } from './vocabulary.js';

/** @typedef {import('./types.js').ApiJob} ApiJob */

/** Unfolds the forms (an empty queue, or a link to /#submit). */
export function openSubmitPanel() {
  byId('submit', HTMLDetailsElement).open = true;
}

/**
 * @param {{ onCreated: (job: ApiJob) => void, onProblem: (error: unknown) => boolean }} handlers
 *   onProblem shows connection/token problems and returns true when it did.
 */
export function setupSubmitForms(handlers) {
  const status = byId('submit-status', HTMLElement);
  const uploadForm = byId('upload-form', HTMLFormElement);
  const fileInput = byId('upload-file', HTMLInputElement);
  const uploadPriority = byId('upload-priority', HTMLSelectElement);
  const progress = byId('upload-progress', HTMLProgressElement);
  const uriForm = byId('uri-form', HTMLFormElement);
  const uriInput = byId('source-uri', HTMLInputElement);
  const uriPriority = byId('uri-priority', HTMLSelectElement);

  // "Submit a fixed recording" on a failed job's page links here.
  if (location.hash === '#submit') openSubmitPanel();

  /** @type {(readonly [string, string])[]} */
  const priorityOptions = [['', 'Default priority'], ...priorities.map((p) => /** @type {const} */ ([p, p]))];
  uploadPriority.replaceChildren(...options(priorityOptions, ''));
  uriPriority.replaceChildren(...options(priorityOptions, ''));

  /** @param {HTMLSelectElement} select */
  const chosenPriority = (select) => priorities.find((p) => p === select.value);

  /** @param {ApiJob} job @param {string} what */
  const created = (job, what) => {
    status.dataset['kind'] = 'ok';
    status.replaceChildren(`${what}: `, h('a', { href: `/jobs/${encodeURIComponent(job.id)}` }, sourceName(job)), ` is ${job.state}.`);
    handlers.onCreated(job);
  };

  /** @param {unknown} error @param {string} what */
  const failed = (error, what) => {
    if (handlers.onProblem(error)) {
      status.dataset['kind'] = 'error';
      status.textContent = `${what} did not reach the server.`;
      return;
    }
    status.dataset['kind'] = 'error';
    status.textContent = error instanceof ApiError ? `${what} was refused: ${error.message}` : `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
  };

  /** @param {HTMLFormElement} form @param {boolean} busy */
  const setBusy = (form, busy) => {
    for (const control of form.querySelectorAll('input, select, button')) {
      if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement || control instanceof HTMLButtonElement) control.disabled = busy;
    }
    form.setAttribute('aria-busy', String(busy));
  };

  uploadForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = fileInput.files?.[0];
    if (!file) {
      status.dataset['kind'] = 'error';
      status.textContent = 'Choose a recording to upload first.';
      fileInput.focus();
      return;
    }
    setBusy(uploadForm, true);
    progress.hidden = false;
    progress.value = 0;
    status.dataset['kind'] = 'busy';
    status.textContent = `Uploading ${file.name} (${bytes(file.size)})…`;
    try {
      const priority = chosenPriority(uploadPriority);
      const job = await uploadRecording(file, {
        ...(priority ? { priority } : {}),
        onProgress: (fraction) => {
          progress.value = fraction;
          status.textContent = `Uploading ${file.name}: ${Math.floor(fraction * 100)} %`;
        },
      });
      uploadForm.reset();
      created(job, 'Uploaded');
    } catch (error) {
      failed(error, `The upload of ${file.name}`);
    } finally {
      setBusy(uploadForm, false);
      progress.hidden = true;
    }
  });

  uriForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const source = uriInput.value.trim();
    if (!source) {
      status.dataset['kind'] = 'error';
      status.textContent = 'Enter a source: a path under a source root, s3://bucket/key or https://…';
      uriInput.focus();
      return;
    }
    setBusy(uriForm, true);
    try {
      const priority = chosenPriority(uriPriority);
      const job = await createJob({ source, ...(priority ? { priority } : {}) });
      uriForm.reset();
      created(job, 'Submitted');
    } catch (error) {
      failed(error, 'The source');
    } finally {
      setBusy(uriForm, false);
    }
  });
}
