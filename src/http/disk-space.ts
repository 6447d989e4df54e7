// Whether the data directory can take more: writable, and at least a threshold of free space.
// /readyz reports it, so a load balancer or Kubernetes stops sending uploads and webhooks to a
// control plane that would fail them.
import { randomBytes } from 'node:crypto';
import { rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';

export type DiskCheck = { ok: true; freeBytes: number } | { ok: false; reason: string };

/** A write error that means the disk (or the quota) is full. */
export function isDiskFull(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const code = typeof e === 'object' && 'code' in e ? e.code : undefined;
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
    e = typeof e === 'object' && 'cause' in e ? e.cause : undefined;
  }
  return false;
}

export async function checkDataDir(dir: string, minFreeBytes: number): Promise<DiskCheck> {
  // A real write (not access(W_OK)): a read-only mount or a full disk answer access() fine.
  const probe = path.join(dir, `.live2vod-ready-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'ok');
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'unknown error';
    return { ok: false, reason: `the data directory ${dir} cannot be written (${code})` };
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
  const stats = await statfs(dir);
  const freeBytes = stats.bavail * stats.bsize;
  if (freeBytes < minFreeBytes) {
    return { ok: false, reason: `the data directory ${dir} has ${freeBytes} bytes free, less than server.minFreeDataBytes (${minFreeBytes}): free space` };
  }
  return { ok: true, freeBytes };
}
