// Errors that steer behaviour are classes: the CLI maps them to exit codes, the job layer to
// "retry" or "fail at once". Each message says what was wrong and what to do.

/** Exit codes of `live2vod transcode` and `live2vod worker`; the Kubernetes podFailurePolicy keys on them. */
export const ExitCode = {
  ok: 0,
  /** Unexpected, possibly transient: worth a retry. */
  internal: 1,
  usage: 2,
  /** The source cannot become an asset: never retried. */
  badInput: 3,
  /** The output could not be written (permissions, full disk, storage): retried by the job layer. */
  output: 4,
  /** ffmpeg or a requested encoder is missing on this machine. */
  environment: 5,
  cancelled: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class Live2vodError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly retryable: boolean;
  /** The last lines ffmpeg wrote to stderr, when ffmpeg was involved. */
  readonly stderrTail?: string;
  /** The ffmpeg/ffprobe command that failed, when one did: operators rerun it by hand. */
  readonly command?: readonly string[];

  constructor(message: string, options: { exitCode: ExitCodeValue; retryable: boolean; stderrTail?: string | undefined; command?: readonly string[] | undefined; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.retryable = options.retryable;
    if (options.stderrTail !== undefined) this.stderrTail = options.stderrTail;
    if (options.command !== undefined) this.command = options.command;
  }
}

/** The source is missing, empty, corrupt, not media, or uses something we do not support. */
export class InputError extends Live2vodError {
  constructor(message: string, options: { stderrTail?: string | undefined; command?: readonly string[] | undefined; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.badInput, retryable: false, ...options });
  }
}

/** The output location cannot be written: permissions, a full disk. */
export class OutputError extends Live2vodError {
  constructor(message: string, options: { stderrTail?: string | undefined; command?: readonly string[] | undefined; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.output, retryable: true, ...options });
  }
}

/** ffmpeg/ffprobe or an encoder is not installed here. */
export class EnvironmentError extends Live2vodError {
  constructor(message: string, options: { stderrTail?: string | undefined; command?: readonly string[] | undefined; cause?: unknown } = {}) {
    super(message, { exitCode: ExitCode.environment, retryable: false, ...options });
  }
}

/** ffmpeg failed for a reason we could not attribute to the input or the output. */
export class FfmpegError extends Live2vodError {
  declare readonly command: readonly string[];
  constructor(message: string, options: { command: readonly string[]; stderrTail?: string | undefined; cause?: unknown }) {
    super(message, { exitCode: ExitCode.internal, retryable: true, stderrTail: options.stderrTail, command: options.command, cause: options.cause });
  }
}

export class CancelledError extends Live2vodError {
  constructor(message = 'cancelled') {
    super(message, { exitCode: ExitCode.cancelled, retryable: false });
  }
}

export class UsageError extends Live2vodError {
  constructor(message: string) {
    super(message, { exitCode: ExitCode.usage, retryable: false });
  }
}
