// A real nginx with the RTMP module for the tests that run one (Debian's nginx + libnginx-mod-rtmp).
// Debian installs nginx in /usr/sbin, which a minimal PATH (a CI runner's, `env -i`) leaves out.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const nginxModule = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/** nginx from PATH, else from the sbin directories; undefined when there is none. */
export const nginxPath = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/sbin']
  .map((dir) => path.join(dir, 'nginx'))
  .find((file) => existsSync(file));

async function runs(binary: string): Promise<boolean> {
  return execFileAsync(binary, ['-version']).then(() => true, () => false);
}

/** A node:test skip reason when nginx, its RTMP module or ffmpeg is missing, else false. */
export const nginxRtmpSkip: string | false = existsSync(nginxModule) && nginxPath !== undefined && await runs(nginxPath) && await runs('ffmpeg')
  ? false
  : 'needs nginx, libnginx-mod-rtmp and ffmpeg (apt-get install nginx libnginx-mod-rtmp ffmpeg)';

export { nginxModule };
