// Structured logs (pino); one logger per process, child loggers scoped by job.
import pino, { type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'live2vod' }, timestamp: pino.stdTimeFunctions.isoTime });
}
