// Kubernetes objects as one multi-document YAML stream (what `kubectl apply -f -` reads). Pure.
import YAML from 'yaml';
import type { KubeObject } from './validate.ts';

export function toYamlDocuments(objects: readonly KubeObject[], header?: string): string {
  const comment = header ? header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n') + '\n' : '';
  // No line folding: long values (a task's JSON) stay on one line, diffable.
  return comment + objects.map((object) => `---\n${YAML.stringify(object, { lineWidth: 0 })}`).join('');
}
