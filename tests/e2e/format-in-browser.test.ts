// The formatters and plurals, built for the browser as the app's bundle is (Vite) and run in
// Chromium, whose locale data is trimmed (no Kyrgyz months, different plural tables), must write
// exactly what Node writes on the server: otherwise every page in that language fails to hydrate.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { formatCases } from '../helpers/format-cases.ts';
import { hasBrowser, launchBrowser, requireBrowserInCi } from '../helpers/browser.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** tests/helpers/format-cases.ts as one browser script that sets `window.formatCases`. */
async function browserBuild(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: 'silent',
    root,
    build: {
      write: false,
      minify: true,
      lib: { entry: path.join(root, 'tests/helpers/format-cases.ts'), formats: ['iife'], name: 'formatting' },
    },
  })) as Rollup.RollupOutput[];
  const chunk = output[0]!.output.find((file) => file.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the browser build produced no script');
  return chunk.code;
}

requireBrowserInCi();

describe.skipIf(!hasBrowser)('formatting in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('writes every case in ky, ru and en exactly as the server does', async () => {
    const script = await browserBuild();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: script });
    const inBrowser = await page.evaluate(() =>
      (window as unknown as { formatting: { formatCases(): unknown } }).formatting.formatCases(),
    );
    expect(errors).toEqual([]);
    expect(inBrowser).toEqual(formatCases());
    await page.close();
  });
});
