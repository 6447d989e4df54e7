// The file name an upload is stored under: the caller's name reduced to a safe basename, so it
// can neither leave the upload directory nor surprise a shell or a URL.

const maxLength = 120;

export function safeUploadName(given: string): string {
  const base = given.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    // Accents become their base letters (é → e) rather than underscores.
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\w.-]+/g, '_')
    .replace(/_+/g, '_')
    // No hidden files, no "." or "..".
    .replace(/^[._-]+/, '');
  const cut = cleaned.length > maxLength ? cleaned.slice(cleaned.length - maxLength).replace(/^[._-]+/, '') : cleaned;
  return cut || 'recording';
}
