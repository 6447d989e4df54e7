// One zod issue in the project's words, for a field the caller names ("--codec", "rungs[0].height"):
// "must be one of h264, hevc, av1", "is missing", "must be at least 16", not the schema library's
// "Invalid option: expected one of …". A refinement's own message is kept as written.
import type { z } from 'zod';

export function issueText(issue: z.core.$ZodIssue): string {
  // A message the schema wrote itself ("is required (an output directory)") says it best.
  if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'invalid_type': {
      // The input itself is not kept on the issue (zod's default); its message names its type.
      const received = /received (\w+)/.exec(issue.message)?.[1];
      return received === 'undefined' ? 'is missing' : `must be ${article(issue.expected)}${received ? ` (not ${article(received)})` : ''}`;
    }
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${String(issue.minimum)}` : `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'array' ? `takes at most ${String(issue.maximum)}` : `must be at most ${String(issue.maximum)}`;
    default:
      return issue.message;
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
