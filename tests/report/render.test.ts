import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { render, renderCsv, renderCsvFiles, renderHtml, renderJson, renderMarkdown, renderTable } from '../../src/report/render/index.js';
import { formatCell } from '../../src/report/render/format.js';
import { chartSvg, niceTicks } from '../../src/report/render/svg.js';
import type { Cell, Report, Table } from '../../src/report/types.js';

const EVIL = '<script>alert("x")</script> & Co | *bold*';

/** Every column kind, a null in each, a pg-style numeric string, and text that needs escaping. */
const kinds: Table = {
  title: 'Segments & tiers',
  columns: [
    { key: 'segment', label: 'Segment', kind: 'text' },
    { key: 'customers', label: 'Customers', kind: 'int' },
    { key: 'avg_items', label: 'Avg items', kind: 'number' },
    { key: 'share', label: 'Share', kind: 'percent' },
    { key: 'revenue', label: 'Revenue', kind: 'money' },
    { key: 'last', label: 'Last order', kind: 'date' },
    { key: 'recency', label: 'Recency', kind: 'days' },
    { key: 'resolution', label: 'Resolution', kind: 'hours' },
  ],
  rows: [
    { segment: EVIL, customers: 1234567, avg_items: 3.14159, share: 12.34, revenue: 1234.5, last: '2024-06-30', recency: 12.25, resolution: 5 },
    { segment: 'Line\nbreak, "quoted"', customers: null, avg_items: null, share: null, revenue: '98765.4', last: null, recency: null, resolution: null },
    { segment: null, customers: 0, avg_items: -2, share: 0, revenue: 0, last: '2024-01-01', recency: 0, resolution: 72 },
  ],
};

const report: Report = {
  kind: 'segments',
  title: 'Customers & <segments>',
  asOf: '2024-06-30',
  generatedAt: '2024-07-01T03:00:00.000Z',
  filters: { unit: 'retail & card' },
  sections: [
    {
      title: 'Segments <overview>',
      summary: ['1,234,567 customers', 'Top segment: <script>x</script> & friends'],
      charts: [
        {
          title: 'Customers by tier & unit',
          kind: 'bar',
          x: ['Gold', 'Silver', '<script>'],
          series: [
            { name: 'Retail', values: [120, 340, 80] },
            { name: 'Card & co', values: [60, null, 200] },
          ],
          unit: 'customers',
        },
        {
          title: 'Revenue mix',
          kind: 'stacked-bar',
          x: ['2024-04', '2024-05', '2024-06'],
          series: [
            { name: 'Online', values: [10, 20, 30] },
            { name: 'Store', values: [5, 0, null] },
          ],
        },
      ],
      tables: [kinds],
    },
    {
      title: 'Trends',
      summary: [],
      charts: [
        {
          title: 'Tickets closed within standard',
          kind: 'line',
          x: ['Jan', 'Feb', 'Mar', 'Apr'],
          series: [
            { name: 'Retail', values: [80, 85, null, 90] },
            { name: 'Card', values: [60, 70, 75, 95] },
          ],
          unit: '%',
          target: { label: 'Standard <72 h>', value: 85 },
        },
        { title: 'Nothing yet', kind: 'bar', x: [], series: [] },
      ],
      tables: [
        {
          title: 'Monthly',
          columns: [
            { key: 'month', label: 'Month', kind: 'text' },
            { key: 'orders', label: 'Orders', kind: 'int' },
          ],
          rows: [
            { month: 'Jan', orders: 10 },
            { month: 'Feb', orders: 2500 },
          ],
        },
      ],
    },
  ],
};

/** The cells a CSV reader gets back: raw values as text, null as an empty cell. */
const csvCells = (t: Table): string[][] => t.rows.map((r) => t.columns.map((c) => (r[c.key] === null ? '' : String(r[c.key] as Exclude<Cell, null>))));

describe('cell formatting', () => {
  it('formats each kind and shows null as a dash', () => {
    expect(formatCell(1234567, 'int')).toBe('1,234,567');
    expect(formatCell(3.14159, 'number')).toBe('3.14');
    expect(formatCell(12.34, 'percent')).toBe('12.3 %');
    expect(formatCell(1234.5, 'money')).toBe('1,234.50');
    expect(formatCell('98765.4', 'money')).toBe('98,765.40'); // numeric as text, as pg returns it
    expect(formatCell(12.25, 'days')).toBe('12.3 d');
    expect(formatCell(5, 'hours')).toBe('5 h');
    expect(formatCell('2024-06-30', 'date')).toBe('2024-06-30');
    expect(formatCell(null, 'money')).toBe('–');
    expect(formatCell(undefined, 'text')).toBe('–');
  });

  it('picks round axis ticks', () => {
    expect(niceTicks(0, 340)).toEqual([0, 100, 200, 300, 400]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe('table (terminal) renderer', () => {
  const text = renderTable(report);

  it('prints titles, summaries and formatted cells', () => {
    expect(text).toContain('Customers & <segments>');
    expect(text).toContain('as of 2024-06-30 · unit: retail & card');
    expect(text).toContain('  • 1,234,567 customers');
    for (const s of ['1,234,567', '3.14', '12.3 %', '1,234.50', '98,765.40', '12.3 d', '72 h', '–']) expect(text).toContain(s);
    expect(text).toContain('Line break, "quoted"'); // a newline would break the grid
  });

  it('right-aligns numbers: every line of a table ends in the same column', () => {
    const lines = text.split('\n');
    const start = lines.indexOf('  Monthly');
    const block = lines.slice(start + 1, start + 5);
    expect(block).toHaveLength(4);
    expect(new Set(block.map((l) => l.length)).size).toBe(1);
    expect(block[3]).toMatch(/Feb\s+2,500$/);
  });

  it('draws a sparkline per line-chart series', () => {
    expect(text).toMatch(/Retail\s+[▁-█]{2} [▁-█]\s+90 %/);
  });
});

describe('csv renderer', () => {
  it('parses back to the same cells, each row prefixed by section and table', () => {
    const rows: string[][] = parse(renderCsv(report), { relax_column_count: true, skip_empty_lines: true });
    const expected: string[][] = [];
    for (const section of report.sections) {
      for (const t of section.tables) {
        expected.push(['Section', 'Table', ...t.columns.map((c) => c.label)]);
        expected.push(...csvCells(t).map((r) => [section.title, t.title, ...r]));
      }
    }
    expect(rows).toEqual(expected);
    expect(rows[1]?.[2]).toBe(EVIL);
    expect(rows[2]?.[2]).toBe('Line\nbreak, "quoted"');
  });

  it('writes one rectangular CSV per table', () => {
    const files = renderCsvFiles(report);
    expect(files.map((f) => f.name)).toEqual(['segments-overview--segments-tiers.csv', 'trends--monthly.csv']);
    expect(parse(files[0]!.csv)).toEqual([kinds.columns.map((c) => c.label), ...csvCells(kinds)]);
  });
});

describe('json renderer', () => {
  it('round-trips and is stable whatever the key order', () => {
    const json = renderJson(report);
    expect(JSON.parse(json)).toEqual(report);
    const shuffled = JSON.parse(JSON.stringify(report, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v))) as Report;
    expect(Object.keys(shuffled)[0]).toBe('sections');
    expect(renderJson(shuffled)).toBe(json);
  });
});

describe('markdown renderer', () => {
  const md = renderMarkdown(report);

  it('has headings, bullets and aligned GitHub tables', () => {
    expect(md).toMatch(/^# Customers \\& \\<segments\\>$/m);
    expect(md).toContain('## Trends');
    expect(md).toContain('- 1,234,567 customers');
    expect(md).toContain('| Segment | Customers | Avg items | Share | Revenue | Last order | Recency | Resolution |');
    expect(md).toContain('| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |');
    expect(md).toContain('| – | 0 | -2 | 0.0 % |'); // the null segment
  });

  it('escapes HTML and table syntax from the data', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>alert("x")\\</script\\> \\& Co \\| \\*bold\\*');
    // Each table row keeps exactly one cell per column despite the "|" in the data.
    const row = md.split('\n').find((l) => l.includes('alert'))!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(kinds.columns.length);
  });
});

describe('html renderer', () => {
  const html = renderHtml(report);
  const svgs = [...html.matchAll(/<svg\b[^>]*>/g)].map((m) => m[0]);
  const svgOf = (title: string) => html.slice(html.indexOf(`<svg class="chart`, html.indexOf(`<figcaption>${title}`)), html.indexOf('</svg>', html.indexOf(`<figcaption>${title}`)));

  it('is self-contained: no URL, no script, inline CSS', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\bsrc=|<link|@import|url\(/i);
    expect(html).toContain('<style>');
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('escapes every text from the data', () => {
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(html).toContain('<h1>Customers &amp; &lt;segments&gt;</h1>');
    expect(html).toContain('retail &amp; card');
    expect(html).toContain('Standard &lt;72 h&gt;');
    expect(html).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/); // no bare ampersand anywhere
  });

  it('shows formatted cells, nulls and the summary', () => {
    for (const s of ['1,234,567', '12.3 %', '1,234.50', '>–<']) expect(html).toContain(s);
    expect(html).toContain('<td class="num">2,500</td>');
    expect(html).toContain('<li>1,234,567 customers</li>');
  });

  it('draws one sized svg per chart', () => {
    expect(svgs).toHaveLength(4);
    for (const tag of svgs) {
      expect(Number(/ width="([\d.]+)"/.exec(tag)?.[1])).toBeGreaterThan(0);
      expect(Number(/ height="([\d.]+)"/.exec(tag)?.[1])).toBeGreaterThan(0);
      expect(tag).toMatch(/viewBox="0 0 [\d.]+ [\d.]+"/);
    }
  });

  it('draws grouped and stacked bars', () => {
    expect(svgOf('Customers by tier &amp; unit').match(/<rect class="mark bar"/g)).toHaveLength(5); // 6 values, 1 null
    expect(svgOf('Revenue mix').match(/<rect class="mark bar"/g)).toHaveLength(4); // zero and null draw nothing
  });

  it('draws one path per line series, a legend and the dashed target', () => {
    const line = svgOf('Tickets closed within standard');
    expect(line.match(/<path /g)).toHaveLength(2);
    expect(line).toContain('class="legend"');
    expect(line).toMatch(/<g class="target"><line [^>]*stroke-dasharray/);
    // The null in March splits Retail's path instead of dropping to zero.
    expect(line).toMatch(/d="M[\d.,]+L[\d.,]+M[\d.,]+"/);
  });

  it('shows a placeholder for a chart without data', () => {
    const empty = svgOf('Nothing yet');
    expect(empty).toContain('chart-empty');
    expect(empty).toContain('No data');
    expect(chartSvg({ title: 'all null', kind: 'line', x: ['a'], series: [{ name: 's', values: [null] }] })).toContain('No data');
  });
});

describe('render()', () => {
  it('dispatches each format and refuses an unknown one', () => {
    expect(render(report, 'json')).toBe(renderJson(report));
    expect(render(report, 'html')).toBe(renderHtml(report));
    expect(render(report, 'csv')).toBe(renderCsv(report));
    expect(render(report, 'markdown')).toBe(renderMarkdown(report));
    expect(render(report, 'table')).toBe(renderTable(report));
    expect(() => render(report, 'pdf' as 'html')).toThrow(/unknown report format "pdf"/);
  });
});
