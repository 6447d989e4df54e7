// The streams and cancel signal a command runs with; injected so commands are testable in-process.
export interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  signal: AbortSignal;
}
