// Extracts every ```ts block from the READMEs into build/snippets/ so `tsc -p tsconfig.check.json`
// type-checks the documentation exactly as users will copy it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'build', 'snippets');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const readmes = [join(root, 'README.md')];
for (const dir of ['packages', 'examples', 'benchmarks']) {
  const base = join(root, dir);
  if (!existsSync(base)) continue;
  if (existsSync(join(base, 'README.md'))) readmes.push(join(base, 'README.md'));
  for (const entry of readdirSync(base, { withFileTypes: true })) {
    const file = join(base, entry.name, 'README.md');
    if (entry.isDirectory() && existsSync(file)) readmes.push(file);
  }
}

let count = 0;
for (const file of readmes) {
  if (!existsSync(file)) continue;
  const text = readFileSync(file, 'utf8');
  const blocks = [...text.matchAll(/^```(?:ts|typescript)\s*\n([\s\S]*?)^```/gm)];
  const name = relative(root, file).replace(/[\\/]/g, '__').replace(/\.md$/, '');
  blocks.forEach((m, i) => {
    const body = m[1];
    const wrapped = `// From ${relative(root, file)}, block ${i + 1}\n${body}\nexport {};\n`;
    writeFileSync(join(out, `${name}__${i + 1}.ts`), wrapped);
    count++;
  });
}
console.log(`extracted ${count} TypeScript snippets from ${readmes.length} READMEs`);
