// The dashboard's pages share their header, token panel and banner: one fragment,
// src/web/page-header.html, put in place of each page's `<!-- page-header -->` comment once, at
// startup (the pages are static; no templating per request). `<!-- page-header current="/" -->`
// marks that page's own link in the main navigation with aria-current="page".

const marker = /<!-- page-header(?: current="([^"<>]+)")? -->/g;

/** `page` with its page-header comment replaced by `header`; throws when the page has none, or two. */
export function composePage(page: string, header: string): string {
  const found = [...page.matchAll(marker)];
  if (found.length !== 1) throw new Error(`a dashboard page needs exactly one <!-- page-header --> comment, not ${found.length}`);
  const [whole, current] = found[0]!;
  // The fragment's own leading comment documents the file; it is not part of the page.
  let fragment = header.replace(/^\s*<!--[\s\S]*?-->\s*\n/, '').trimEnd().replace(/^\s+/, '');
  if (current !== undefined) {
    const link = `<a href="${current}">`;
    if (!fragment.includes(link)) throw new Error(`the page header has no link to ${current} to mark as the current page`);
    fragment = fragment.replace(link, `<a href="${current}" aria-current="page">`);
  }
  // A function, so `$` in the fragment is never read as a replacement pattern.
  return page.replace(whole, () => fragment);
}
