// The CLI's composition root: parses the command line, runs one command, maps errors to exit codes.
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, Live2vodError, UsageError } from '../errors/index.ts';
import { version } from '../version.ts';
import type { DemoFlags } from './demo-command.ts';
import type { CliIo } from './io.ts';
import type { ManifestsFlags } from './manifests-command.ts';
import type { ServeFlags } from './serve-command.ts';

function planOptions(command: Command): Command {
  return command
    .option('--codec <codec>', 'video codec: h264, hevc or av1 (default: h264, or the one --encoder makes)')
    .addOption(new Option('--encoder <name>', 'encoder to try first (falls back to libx264); sets the codec: libsvtav1 means --codec av1, libx265 --codec hevc').choices(['libx264', 'libx265', 'libsvtav1', 'h264_nvenc']))
    .option('--preset <name>', 'encoder speed preset (libx264: veryfast)')
    .option('--ladder <kind|file>', 'apple: the fixed preset; content-aware: analyse the recording and fit the preset to it; or a ladder file (JSON) used as it is (default: the profile\'s ladder kind, fixed)')
    .option('--mixed-hevc', 'H.264 rungs up to 1080p plus HEVC (hvc1) rungs up to the source size, in one master and one MPD; an HDR source keeps HDR in the HEVC rungs')
    .option('--language <tag>', 'audio language when the source has none (BCP 47)', 'en')
    .option('--no-loudnorm', 'keep the source loudness')
    .option('--loudness <lufs>', 'integrated loudness target', '-16')
    .option('--true-peak <dbtp>', 'true-peak ceiling', '-1.5')
    .option('--audio-bitrate <kbps>', 'AAC bitrate in kb/s (32–160)', '128')
    .option('--segment <seconds>', 'segment duration', '6')
    .option('--gop <seconds>', 'GOP (keyframe) interval', '2')
    .option('--json', 'machine-readable output');
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('live2vod')
    .description('Turns finished live recordings into adaptive-bitrate VOD (CMAF, HLS + DASH).')
    .version(version)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // One prefix for every error, commander's included ("error: unknown option" otherwise).
      outputError: (s, write) => write(s.replace(/^error: /, 'live2vod: ')),
    });

  planOptions(program.command('transcode').description('transcode one recording into a complete asset').argument('<input>', 'source file'))
    .option('-o, --out <dir>', 'output directory for the asset (required)')
    .option('--no-thumbnails', 'skip poster, sprite and WebVTT thumbnails')
    .option('--no-download', 'skip the progressive MP4 download')
    .option('--no-quality', 'skip the sampled SSIM/PSNR per rendition in manifest.json')
    .option('--instant-remux', 'also copy an H.264/AAC source into instant/ (playable before the ladder is done)')
    .option('--scratch <dir>', 'parent directory for scratch files (default: system temp)')
    .option('--chunk-seconds <n>', 'encode in chunks of n seconds side by side, then stitch (a multiple of --segment; 0: never; default: one chunk per --parallel for recordings of a minute or more)')
    .option('--parallel <n>', 'chunks encoded at once (default: the number of cores)')
    .option('--dry-run', 'print the ffmpeg commands instead of running them')
    .action(async (input: string, flags: Record<string, unknown>) => (await import('./transcode-command.ts')).runTranscodeCommand(input, flags, io));

  planOptions(program.command('probe').description('print the source analysis and the ladder that would be made').argument('<input>', 'source file'))
    .action(async (input: string, flags: Record<string, unknown>) => (await import('./probe-command.ts')).runProbeCommand(input, flags, io));

  program.command('serve').description('run the control plane: webhooks, API, queue and local workers')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); also $LIVE2VOD_CONFIG')
    .option('--port <port>', 'HTTP port (default 8080)')
    .option('--host <host>', 'address to bind (default 127.0.0.1)')
    .option('--data <dir>', 'data directory: store, media, inbox (default ./data)')
    .option('--record-dir <dir>', 'directory nginx-rtmp/SRS/MediaMTX record into; webhook paths must lie inside it')
    .option('--concurrency <n>', 'workers at once (default: half the cores)')
    .option('--chunk-seconds <n>', 'encode recordings in chunks of n seconds (a multiple of the segment; 0: never; default: chosen from the length)')
    .option('--database-url <url>', 'PostgreSQL instead of the embedded SQLite store')
    .action(async (flags: ServeFlags) => (await import('./serve-command.ts')).runServeCommand(flags, io));

  program.command('worker').description('run one TranscodeTask (the worker process / pod entrypoint)')
    .option('--task-file <file>', 'the TranscodeTask JSON file, or - for stdin (default: $LIVE2VOD_TASK)')
    .option('--chunk-seconds <n>', "overrides the task's chunk length (0: never chunk)")
    .action(async (flags: { taskFile?: string; chunkSeconds?: string }) => (await import('./worker-command.ts')).runWorkerCommand(flags, io));

  program.command('manifests').description('print the Kubernetes YAML that installs live2vod (validated, multi-document)')
    .option('--namespace <name>', 'namespace of the control plane and its worker Jobs', 'live2vod')
    .option('--instance <name>', 'app.kubernetes.io/instance label of everything (object names are fixed: one install per namespace)')
    .option('--image <ref>', 'the live2vod image (control plane and workers)')
    .option('--storage <s3-uri>', 'where assets are published: s3://bucket/prefix')
    .option('--public-base-url <url>', 'URL players fetch the assets from (CDN or bucket)')
    .option('--storage-secret <name>', 'Secret whose keys become storage env vars (AWS_ACCESS_KEY_ID …)')
    .option('--service-account-annotation <key=value>', 'annotation for both ServiceAccounts, e.g. eks.amazonaws.com/role-arn=… (repeatable)', collect, [])
    .option('--database-url <url>', 'PostgreSQL URL (put into a Secret): two control-plane replicas')
    .option('--database-secret <name>', 'existing Secret with key "url" holding the PostgreSQL URL')
    .option('--public-url <url>', 'URL webhooks and API clients reach the control plane at (default: the Service)')
    .addOption(new Option('--spot <platform>', 'how spot nodes are marked').choices(['karpenter', 'eks', 'gke', 'aks', 'none']))
    .option('--gpu-priorities <list>', 'priorities that run on GPU nodes with NVENC, e.g. urgent,high')
    .option('--gpu-node-selector <key=value>', 'node label of the GPU pool (repeatable)', collect, [])
    .option('--kueue-queue <name>', 'Kueue LocalQueue for worker Jobs')
    .option('--concurrency <n>', 'worker Jobs in the cluster at once (default 50)')
    .addOption(new Option('--task <mode>', 'how pods get their task').choices(['inline', 'secret']))
    .option('--callback-secret <name>', 'Secret with the callback HMAC key (key "secret")')
    .option('--generate-callback-secret', 'also print that Secret with a new random key (not for GitOps)')
    .option('--api-tokens-secret <name>', 'Secret with API tokens (key "tokens", comma-separated)')
    .option('--example-job', 'print instead the Jobs of a one-hour 1080p30 recording at normal priority (split, Indexed chunk Job, audio, stitch)')
    .action(async (flags: ManifestsFlags) => (await import('./manifests-command.ts')).runManifestsCommand(flags, io));

  program.command('demo').description('generate a sample recording (a test pattern with a tone) and send it to the live2vod serve at --url, where it shows in the dashboard; with no service there (or --local), transcode it here into <data>/assets/sample')
    .option('--data <dir>', 'where the sample (and a local asset) are written', './data')
    .option('--duration <seconds>', 'length of the sample', '20')
    .option('--url <url>', 'the running live2vod serve (API token from $LIVE2VOD_TOKEN when it has auth.tokens)', 'http://127.0.0.1:8080')
    .option('--local', 'transcode in this process even when a service answers')
    .action(async (flags: DemoFlags) => (await import('./demo-command.ts')).runDemoCommand(flags, io));
  return program;
}

/** Commander collector for repeatable `--flag key=value`. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    const program = buildProgram(io);
    refuseSingleDashWords(program, argv);
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    return reportError(error, io, argv.includes('--json'));
  }
}

/**
 * `-out dir` reads as `-o ut dir` (short options take single letters), which writes to ./ut or
 * fails with "too many arguments": a word after one dash that is a long option of the command is
 * refused with the spelling meant.
 */
function refuseSingleDashWords(program: Command, argv: readonly string[]): void {
  const command = program.commands.find((c) => c.name() === argv[0]);
  if (!command) return;
  const longs = new Set(command.options.map((o) => o.long).filter((l): l is string => l !== undefined));
  for (const arg of argv.slice(1)) {
    if (arg === '--') break;
    const word = /^-([a-z][a-z-]+)(=.*)?$/.exec(arg)?.[1];
    if (word && (longs.has(`--${word}`) || longs.has(`--no-${word}`))) {
      throw new UsageError(`${arg} is not an option: did you mean --${word}? (after one dash each letter is an option: ${arg.split('=')[0]} reads as -${word[0]} ${word.slice(1)})`);
    }
  }
}

function reportError(error: unknown, io: CliIo, json: boolean): number {
  const known = error instanceof Live2vodError ? error : undefined;
  const exitCode = known?.exitCode ?? ExitCode.internal;
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    io.stdout.write(`${JSON.stringify({ type: 'error', error: known?.name ?? 'Error', message, exitCode, stderrTail: known?.stderrTail ?? null })}\n`);
  } else {
    io.stderr.write(`live2vod: ${message}\n`);
    if (known?.stderrTail) io.stderr.write(`ffmpeg said:\n${known.stderrTail.split('\n').map((l) => `  ${l}`).join('\n')}\n`);
    if (!known && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
  }
  return exitCode;
}
