/**
 * The README's TypeScript snippets compile against the package, so they
 * cannot rot. A snippet may rely on names the prose around it introduces
 * (`display`, `data`): an HTML comment just before the block,
 * `<!-- snippet-context: declare const display: Display; -->`, declares them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'test-output', 'readme-snippets');

interface Snippet {
  line: number;
  code: string;
  context: string;
}

function snippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const context = /^<!-- snippet-context: (.*) -->$/.exec(lines[i - 1] ?? '')?.[1] ?? '';
    const end = lines.indexOf('```', i + 1);
    found.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), context });
    i = end;
  }
  return found;
}

/**
 * Imports and top-level declarations (interfaces, types, `declare module`
 * blocks, up to their closing brace in column 0) stay at the top; the rest
 * runs inside an async function, so top-level await reads as written.
 */
function moduleOf(s: Snippet): string {
  const top: string[] = [];
  const body: string[] = [];
  const lines = s.code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('import ')) top.push(line);
    else if (/^(interface|type|declare) /.test(line)) {
      const end = line.endsWith('{') ? lines.indexOf('}', i) : i;
      top.push(...lines.slice(i, end + 1));
      i = end;
    } else body.push(line);
  }
  return `${top.join('\n')}\n${s.context}\nexport async function snippet(): Promise<void> {\n${body.join('\n')}\n}\n`;
}

it('type-checks every TypeScript snippet of the README', () => {
  const found = snippets(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  expect(found.length).toBeGreaterThanOrEqual(4);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const files = found.map((s) => {
    const file = `readme-line-${s.line}.ts`;
    writeFileSync(join(OUT, file), moduleOf(s));
    return file;
  });
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      extends: '../../tsconfig.json',
      compilerOptions: { noEmit: true, noUnusedLocals: false, baseUrl: '../..', rootDir: '../..' },
      include: files,
    }),
  );
  let output = '';
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(OUT, 'tsconfig.json')], { encoding: 'utf8' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  }
  // Errors name the README line of their snippet in the file name.
  expect(output).toBe('');
});
