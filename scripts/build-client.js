#!/usr/bin/env node
// Bundles the browser client with esbuild: dist/client/rfbcast.js (the
// embeddable ES module), rfbcast-worker.js (its worker), page.js and
// index.html (the full-page viewer). Type-checks it first.
const { execFileSync } = require('node:child_process');
const { copyFileSync, mkdirSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..');
const src = join(root, 'src', 'client');
const out = join(root, 'dist', 'client');

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(src, 'tsconfig.json')], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
esbuild.buildSync({
  entryPoints: {
    rfbcast: join(src, 'index.ts'),
    'rfbcast-worker': join(src, 'worker.ts'),
    page: join(src, 'page.ts'),
    demo: join(src, 'demo.ts'),
  },
  outdir: out,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
});
for (const f of readdirSync(src)) if (f.endsWith('.html')) copyFileSync(join(src, f), join(out, f));
