import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, FAKE_GATHER, idle, makeRepo, ROOT, startService, tempDir, type RunningService } from './helpers/serve-harness';

const CHROMIUM = '/usr/bin/chromium';
// Screenshots are kept as test artifacts in a gitignored folder.
const ARTIFACTS = join(ROOT, '.ci', 'out', 'serve');

describe.skipIf(!existsSync(CHROMIUM))('status page in headless Chromium', () => {
  let svc: RunningService;
  let dir: string;

  beforeAll(async () => {
    dir = tempDir('status');
    for (const name of ['one', 'two', 'three']) makeRepo(join(dir, name), 1);
    svc = await startService(['--state-dir', join(dir, 'state'), '--gather-module', FAKE_GATHER, '--retry-base-ms', '10', '--max-attempts', '1', '--poll-ms', '50'], { FAKE_GATHER_MS: '20' });
    for (const name of ['one', 'two', 'three']) await api(svc.url, 'POST', '/repos', { source: join(dir, name) });
    await api(svc.url, 'POST', '/gather', { repo: 'one', wait: 30 });
    await api(svc.url, 'POST', '/gather', { repo: 'two', wait: 30 });
    await api(svc.url, 'POST', '/gather', { repo: 'three', rev: 'no-such-rev', wait: 30 });
    await api(svc.url, 'POST', '/advisories', { advisory: 'GHSA-aaaa-bbbb-cccc', affected: [{ repo: 'two', detail: 'left-pad@1.0.0' }] });
    await idle(svc.url);
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('shows the repositories, their last gathers, counts and risk flags', async () => {
    const { chromium } = await import('playwright-core');
    // A fresh profile directory per run (Playwright takes it as the persistent context's directory).
    const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'chromium-profile-')), {
      executablePath: CHROMIUM,
      // Without the background-networking flags Chromium keeps calling home on a closed network.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage();
      const res = await page.goto(svc.url);
      expect(res?.status()).toBe(200);
      expect(await page.textContent('#repo-count')).toBe('3');
      expect(await page.textContent('#failed-count')).toBe('1');
      expect(await page.textContent('#queue-depth')).toBe('0');
      expect(await page.textContent('#cache-hit-rate')).toBe('66.7 %');
      const rows = await page.$$eval('#repos tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.map((r) => r[0])).toEqual(['one', 'three', 'two']);
      const two = rows.find((r) => r[0] === 'two')!;
      expect(two[2]).toMatch(/^[0-9a-f]{12}$/);
      expect([two[5], two[6]]).toEqual(['2', '1']);
      expect(two[7]).toBe('GHSA-aaaa-bbbb-cccc');
      expect(rows.find((r) => r[0] === 'three')![2]).toBe('—');
      const failed = await page.$$eval('#failed tbody tr td', (tds) => tds.map((td) => td.textContent));
      expect(failed).toContain('three');
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'status-page.png'), fullPage: true });
      expect(existsSync(join(ARTIFACTS, 'status-page.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
