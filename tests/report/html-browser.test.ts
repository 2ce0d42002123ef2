import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/render/index.js';
import type { Report } from '../../src/report/types.js';

/**
 * The HTML report as a person sees it: Debian's Chromium opens the file. No skip when the
 * browser is missing: CI installs it (apt-get install -y chromium), so its absence is a failure.
 */
const CHROMIUM = '/usr/bin/chromium';

const report: Report = {
  kind: 'service',
  title: 'Service & <history>',
  asOf: '2024-06-30',
  generatedAt: '2024-07-01T03:00:00.000Z',
  filters: { unit: 'card' },
  sections: [
    {
      title: 'Volumes',
      summary: ['412 tickets', 'Median resolution 5.2 h'],
      charts: [
        {
          title: 'Tickets by channel',
          kind: 'bar',
          x: ['Phone', 'Mail', '<script>alert(1)</script>'],
          series: [
            { name: 'Retail', values: [120, 40, 8] },
            { name: 'Card', values: [60, null, 30] },
          ],
        },
        {
          title: 'Outcome mix',
          kind: 'stacked-bar',
          x: ['Q1', 'Q2'],
          series: [
            { name: 'Solved', values: [30, 40] },
            { name: 'Open', values: [5, 2] },
          ],
        },
      ],
      tables: [
        {
          title: 'By channel',
          columns: [
            { key: 'channel', label: 'Channel', kind: 'text' },
            { key: 'tickets', label: 'Tickets', kind: 'int' },
            { key: 'within', label: 'Within standard', kind: 'percent' },
          ],
          rows: [
            { channel: 'Phone', tickets: 1800, within: 91.5 },
            { channel: 'Mail & <web>', tickets: null, within: null },
          ],
        },
      ],
    },
    {
      title: 'Trend',
      summary: [],
      charts: [
        {
          title: 'Resolved within 72 h',
          kind: 'line',
          x: Array.from({ length: 24 }, (_, i) => `2023-${String((i % 12) + 1).padStart(2, '0')}`),
          series: [
            { name: 'Retail', values: Array.from({ length: 24 }, (_, i) => 70 + ((i * 7) % 20)) },
            { name: 'Card', values: Array.from({ length: 24 }, (_, i) => (i === 5 ? null : 60 + i)) },
          ],
          unit: '%',
          target: { label: 'Standard', value: 80 },
        },
        { title: 'No tickets yet', kind: 'line', x: [], series: [] },
      ],
      tables: [],
    },
  ],
};

describe('HTML report in headless Chromium', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'golden-report-'));
  const file = path.join(dir, 'report.html');
  const requests: string[] = [];
  const problems: string[] = [];
  let browser: Browser | undefined;
  let loaded: Page | undefined;
  // Each test fails (rather than the whole file being skipped) with the install hint.
  const page = (): Page => {
    if (!loaded) throw new Error(`${CHROMIUM} is missing: install it with \`apt-get install -y chromium\``);
    return loaded;
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) return;
    writeFileSync(file, renderHtml(report));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const p = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    p.on('request', (r) => requests.push(r.url()));
    // A CSP violation or script error would show up here.
    p.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    p.on('pageerror', (e) => problems.push(e.message));
    await p.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    loaded = p;
  });

  afterAll(async () => {
    await browser?.close();
    // Keep the screenshot for a person to look at when asked to.
    if (!process.env.GOLDEN_KEEP_SCREENSHOT) rmSync(dir, { recursive: true, force: true });
  });

  it('loads nothing but the file itself', () => {
    page();
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('renders a non-empty screenshot', async () => {
    const png = await page().screenshot({ path: path.join(dir, 'report.png'), fullPage: true });
    expect(png.length).toBeGreaterThan(1000);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(existsSync(path.join(dir, 'report.png'))).toBe(true);
  });

  it('gives every svg a size and every chart a visible mark', async () => {
    const svgs = await page().locator('svg').all();
    expect(svgs).toHaveLength(4);
    for (const svg of svgs) {
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(0);
      expect(box?.height).toBeGreaterThan(0);
      let drawn = 0;
      for (const mark of await svg.locator('rect, path, circle').all()) {
        const b = await mark.boundingBox();
        if (b && b.width > 0 && b.height > 0) drawn++;
      }
      expect(drawn, await svg.getAttribute('aria-label') ?? '').toBeGreaterThan(0);
    }
  });

  it('draws data marks in charts with data and a placeholder in the empty one', async () => {
    const charts = await page().locator('svg.chart:not(.chart-empty)').all();
    expect(charts).toHaveLength(3);
    for (const chart of charts) {
      const marks = await chart.locator('.mark').all();
      const sizes = await Promise.all(marks.map((m) => m.boundingBox()));
      expect(sizes.some((b) => b !== null && b.width > 0 && b.height > 0)).toBe(true);
    }
    await expect(page().locator('svg.chart-empty').textContent()).resolves.toContain('No data');
    // Text from the data is shown as text, never run.
    await expect(page().locator('table').first().textContent()).resolves.toContain('Mail & <web>');
  });
});
