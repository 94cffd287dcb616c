// Browser end-to-end: an instructor uploads a lecture and watches it being processed (no reload),
// attaches captions and publishes; a student plays it, switches quality, turns captions on, and the
// watched seconds reach the instructor's table; a student of another group cannot open it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../../workers/run-workers.ts';
import { ky } from '../../server/common/dictionaries/ky.ts';
import {
  guardPage,
  hasBrowser,
  launchBrowser,
  logIn as logInAs,
  openWeekOf,
  requireBrowserInCi,
} from '../helpers/browser.ts';
import { sharedBuild } from '../helpers/build-app.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

declare global {
  interface Window {
    /** Set by the test: still there only if the page was not reloaded. */
    notReloaded?: boolean;
  }
}

requireBrowserInCi();

let server: TestServer;
let browser: Browser;
let work: string;

const logIn = (page: Page, account: string) => logInAs(page, server.url, account);

const slot = (page: Page, number: number) =>
  page.locator(`[data-testid=slot][data-slot-kind=lecture_video][data-slot-number="${number}"]`);

describe.skipIf(!hasBrowser)('a lecture from upload to a student watching it (Chromium)', () => {
  beforeAll(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-e2e-video-'));
    server = await startTestServer({
      remix: 'build',
      buildDir: await sharedBuild(),
      env: { TRANSCODE_PROCESSES: '2' },
    });
    await startWorkers(server.services);
    browser = await launchBrowser();
    // A VP9/Opus screen recording: not H.264, so the lowest rung is encoded first and the page shows progress.
    execFileSync('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=s=854x480:r=25:d=24',
      '-f',
      'lavfi',
      '-i',
      'sine=f=300:d=24',
      '-c:v',
      'libvpx-vp9',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '600k',
      '-c:a',
      'libopus',
      '-shortest',
      path.join(work, 'Лекция 1.webm'),
    ]);
    await fs.writeFile(path.join(work, 'ky.srt'), '1\n00:00:00,000 --> 00:00:20,000\nСаламатсыздарбы, студенттер!\n');
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) await fs.rm(work, { recursive: true, force: true });
  });

  it('uploads, shows processing live, plays for the group with quality and captions, and counts what was watched', async () => {
    const instructor = await (await browser.newContext()).newPage();
    const instructorGuard = guardPage(instructor);
    await logIn(instructor, 'instructor');
    const open = instructor
      .locator('.card', { hasText: 'MATH-101' })
      .getByRole('button', { name: ky.home.openCabinet });
    await Promise.all([instructor.waitForURL(/\/cabinets\//), open.click()]);
    await instructor.evaluate(() => (window.notReloaded = true));
    await openWeekOf(slot(instructor, 1));

    await slot(instructor, 1).locator('input[type=file]').setInputFiles(path.join(work, 'Лекция 1.webm'));
    // Queued, then processing with a percentage, then ready with a watch link: all without a reload.
    const state = slot(instructor, 1).locator('[data-testid=file-state]');
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const current = await state.getAttribute('data-state').catch(() => null);
          if (current) seen.add(current);
          return current;
        },
        { timeout: 90_000, interval: 200 },
      )
      .toBe('ready');
    expect([...seen].some((s) => s === 'awaiting' || s === 'processing')).toBe(true);
    await expect.poll(() => slot(instructor, 1).locator('[data-testid=watch-link]').count()).toBe(1);
    expect(await instructor.evaluate(() => window.notReloaded)).toBe(true);

    // Captions in Kyrgyz (SRT, converted), then publish.
    await slot(instructor, 1).locator('details.captions summary').click();
    await slot(instructor, 1)
      .locator('[data-testid=caption-form] input[type=file]')
      .setInputFiles(path.join(work, 'ky.srt'));
    await slot(instructor, 1).locator('[data-testid=caption-form] button[type=submit]').click();
    await expect
      .poll(() => slot(instructor, 1).locator('details.captions summary').textContent())
      .toContain(ky.language.ky);
    await slot(instructor, 1).getByRole('button', { name: ky.cabinet.publish }).click();
    await expect.poll(() => slot(instructor, 1).locator('.badge.published').count()).toBe(1);
    const watchUrl = new URL(
      (await slot(instructor, 1).locator('[data-testid=watch-link]').getAttribute('href'))!,
      server.url,
    ).href;
    const fileId = watchUrl.split('/').pop()!;
    // The full ladder is published before the student switches between its qualities.
    await expect
      .poll(
        async () =>
          (
            await server.services.db
              .selectFrom('media_file')
              .select('hls_complete')
              .where('id', '=', fileId)
              .executeTakeFirstOrThrow()
          ).hls_complete,
        { timeout: 90_000 },
      )
      .toBe(true);

    const student = await (await browser.newContext()).newPage();
    const studentGuard = guardPage(student);
    await logIn(student, 'student');
    const errors: string[] = [];
    student.on('pageerror', (error) => errors.push(error.message));
    expect((await student.goto(watchUrl))?.status()).toBe(200);
    const video = student.locator('[data-testid=player]');
    await expect
      .poll(() => student.locator('[data-testid=quality] option').count(), { timeout: 20_000 })
      .toBeGreaterThan(3);
    await video.evaluate((element: HTMLVideoElement) => {
      element.muted = true;
      return element.play();
    });
    await expect
      .poll(() => video.evaluate((element: HTMLVideoElement) => element.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(1);

    // Manual quality: the lowest rung, and the picture follows.
    const lowest = await student
      .locator('[data-testid=quality] option')
      .evaluateAll(
        (options) => (options as HTMLOptionElement[]).filter((o) => o.textContent === '240p').map((o) => o.value)[0],
      );
    await student.selectOption('[data-testid=quality]', lowest!);
    await expect
      .poll(() => video.evaluate((element: HTMLVideoElement) => element.videoHeight), { timeout: 20_000 })
      .toBe(240);
    const before = await video.evaluate((element: HTMLVideoElement) => element.currentTime);
    await expect
      .poll(() => video.evaluate((element: HTMLVideoElement) => element.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(before + 1);

    // Captions on: the Kyrgyz cue is showing.
    await student.selectOption('[data-testid=captions]', 'ky');
    await expect
      .poll(
        () =>
          video.evaluate((element: HTMLVideoElement) => {
            const track = Array.from(element.textTracks).find((t) => t.language === 'ky');
            return track?.mode === 'showing'
              ? Array.from(track.activeCues ?? [])
                  .map((cue) => (cue as VTTCue).text)
                  .join()
              : '';
          }),
        { timeout: 20_000 },
      )
      .toBe('Саламатсыздарбы, студенттер!');

    // Keyboard: → skips 5 s ahead.
    expect(errors).toEqual([]);
    await student.locator('[data-testid=player-box]').focus();
    const beforeKey = await video.evaluate((element: HTMLVideoElement) => element.currentTime);
    await student.keyboard.press('ArrowRight');
    expect(await video.evaluate((element: HTMLVideoElement) => element.currentTime)).toBeGreaterThan(beforeKey + 4);

    // Pausing reports what was watched; the instructor's table shows it.
    await video.evaluate((element: HTMLVideoElement) => element.pause());
    await expect
      .poll(
        async () =>
          (
            await server.services.db
              .selectFrom('watch_progress')
              .select('watched_seconds')
              .where('media_file_id', '=', fileId)
              .executeTakeFirst()
          )?.watched_seconds ?? 0,
        { timeout: 10_000 },
      )
      .toBeGreaterThan(2);
    await instructor.goto(watchUrl);
    const row = instructor.locator('[data-testid=viewers] tr', { hasText: 'ПМИ-1-24' }).filter({ hasNotText: '0:00' });
    await expect.poll(() => row.count()).toBe(1);

    // On a phone (narrow screen, touch): the player fits the screen and plays inline, from where the student left off.
    const phone = await (
      await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    ).newPage();
    const phoneGuard = guardPage(phone);
    await logIn(phone, 'student');
    await phone.goto(watchUrl);
    const phoneVideo = phone.locator('[data-testid=player]');
    const box = await phoneVideo.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(390);
    expect(box!.width).toBeGreaterThan(300);
    expect(await phoneVideo.getAttribute('playsinline')).not.toBeNull();
    const resumedFrom = (
      await server.services.db
        .selectFrom('watch_progress')
        .select('last_position_seconds')
        .where('media_file_id', '=', fileId)
        .executeTakeFirstOrThrow()
    ).last_position_seconds;
    await expect
      .poll(() => phoneVideo.evaluate((element: HTMLVideoElement) => element.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(resumedFrom - 1);
    await phoneVideo.evaluate((element: HTMLVideoElement) => {
      element.muted = true;
      return element.play();
    });
    await expect
      .poll(() => phoneVideo.evaluate((element: HTMLVideoElement) => element.currentTime), { timeout: 20_000 })
      .toBeGreaterThan(resumedFrom + 0.5);

    // A student of another group: the lecture page is not found, and nothing names a media URL.
    const other = await (await browser.newContext()).newPage();
    await logIn(other, 'student46');
    const refused = await other.goto(watchUrl);
    expect(refused?.status()).toBe(404);
    expect(await other.content()).not.toContain('/media/');
    expect([...instructorGuard.problems(), ...studentGuard.problems(), ...phoneGuard.problems()]).toEqual([]);
  }, 300_000);
});
