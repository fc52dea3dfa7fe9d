// Writes one benchmark's section of BENCHMARKS.md between markers, leaving the others alone.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../src-main/files/design-files.ts';

const FILE = new URL('../BENCHMARKS.md', import.meta.url).pathname;

export function writeBenchSection(id: string, title: string, body: string): void {
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const section = `${start}\n## ${title}\n\n${body}\n${end}`;
  let doc = existsSync(FILE) ? readFileSync(FILE, 'utf8') : '# Benchmarks\n\nEvery number here was written by the command named under its table, on the machine it names.\n';
  const a = doc.indexOf(start);
  const b = doc.indexOf(end);
  doc = a >= 0 && b > a ? doc.slice(0, a) + section + doc.slice(b + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileAtomic(FILE, doc);
}
