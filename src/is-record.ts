// One type guard for "a plain JSON-like object", shared by code that reads untrusted or loosely
// typed input (request bodies, stored JSON, configuration layers, Kubernetes watch events).
// Its own module so that a worker or the Kubernetes client can use it without loading the
// modules of the place that happened to define it first.

/** True for non-null objects that are not arrays. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
