// The shared work area of an output: in the asset directory for a local output, under the
// output's scratch prefix for an s3:// one.
import { parseStorageUri } from '../../storage/uri.ts';
import { DirectoryWorkArea } from './directory-work-area.ts';
import type { SharedWorkArea } from './shared-work-area.ts';
import { StoreWorkArea } from './store-work-area.ts';

/** Call close() when done (it releases an S3 client's sockets). */
export async function openSharedWorkArea(output: string): Promise<SharedWorkArea> {
  const location = parseStorageUri(output);
  if (location.kind === 'local') return new DirectoryWorkArea(location.path);
  // Loaded on demand: the AWS SDK costs ~0.5 s of start-up that local outputs should not pay.
  const { openS3Store } = await import('../../storage/open-store.ts');
  return new StoreWorkArea(openS3Store(location.bucket, location.key));
}
