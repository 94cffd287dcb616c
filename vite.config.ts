import fs from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';
import { vitePlugin as remix } from '@remix-run/dev';
import { defineConfig, type Plugin } from 'vite';
import remixConfig from './remix.config.js';

declare module '@remix-run/node' {
  interface Future {
    v3_singleFetch: true;
  }
}

/**
 * Writes a brotli (best) and a gzip twin of every script and style of the browser build, served
 * by server/http/precompressed-assets.ts: compressed once, not for every visitor.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'kabinet-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const assets = path.join(outDir, 'assets');
      const names = await fs.readdir(assets).catch(() => [] as string[]);
      for (const name of names.filter((file) => /\.(js|css)$/.test(file))) {
        const content = await fs.readFile(path.join(assets, name));
        await fs.writeFile(
          path.join(assets, `${name}.br`),
          zlib.brotliCompressSync(content, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
            },
          }),
        );
        await fs.writeFile(path.join(assets, `${name}.gz`), zlib.gzipSync(content, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  plugins: [remix(remixConfig), precompress()],
  server: { hmr: process.env.VITE_HMR_PORT ? { port: Number(process.env.VITE_HMR_PORT) } : undefined },
  build: { target: 'es2022' },
});
