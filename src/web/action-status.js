// What both pages do with the outcome of a job action (cancel, retry, priority): say it in the
// page's status line and read the page's data again, since the job changed (or, after an error,
// may have changed under the user). Connection and token problems go to the banner instead.

/**
 * @param {HTMLElement} status the page's status line (role=status)
 * @param {{ report(error: unknown): boolean }} problems
 * @param {() => void} reload
 * @returns {import('./job-actions.js').ActionHandlers}
 */
export function statusActionHandlers(status, problems, reload) {
  return {
    onDone: (_job, what) => {
      status.dataset['kind'] = 'ok';
      status.textContent = `Done: ${what}.`;
      reload();
    },
    onError: (error, what) => {
      if (problems.report(error)) return;
      status.dataset['kind'] = 'error';
      status.textContent = `Could not ${what}: ${error instanceof Error ? error.message : String(error)}`;
      reload();
    },
  };
}
