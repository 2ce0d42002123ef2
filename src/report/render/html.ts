import type { Report, Section, Table } from '../types.js';
import { formatCell, isNumericKind, NULL_TEXT } from './format.js';
import { chartSvg, escapeXml as esc } from './svg.js';

/**
 * One self-contained HTML file: inline CSS, inline SVG charts, no script, no fonts, no images,
 * no URL. The Content-Security-Policy makes the browser refuse any fetch should one slip in,
 * so a report mailed around cannot call home or run code from the data.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const CSS = `
*{box-sizing:border-box}
body{margin:0;background:#f6f7f9;color:#1d2330;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 20px 48px}
header{border-bottom:1px solid #dde1e7;margin-bottom:20px;padding-bottom:12px}
h1{font-size:26px;margin:0 0 6px}
h2{font-size:20px;margin:32px 0 12px;padding-top:8px;border-top:1px solid #dde1e7}
.meta{color:#5b6475;margin:0}
.filters{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0 0;padding:0;list-style:none}
.filters li{background:#e8eef7;border-radius:12px;padding:1px 10px;font-size:13px}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px}
.card,figure,.table-wrap{background:#fff;border:1px solid #dde1e7;border-radius:8px}
.card{padding:12px 16px}
.card h3{font-size:15px;margin:0 0 6px}
.card h3 a{color:inherit;text-decoration:none}
.card ul{margin:0;padding-left:18px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px;margin-bottom:16px}
figure{margin:0;padding:12px}
figcaption{font-weight:600;margin-bottom:6px}
svg.chart{display:block;max-width:100%;height:auto}
.table-wrap{overflow-x:auto;margin-bottom:16px}
table{border-collapse:collapse;width:100%;font-size:14px}
caption{text-align:left;font-weight:600;padding:10px 12px 6px}
th,td{padding:5px 12px;border-bottom:1px solid #eef0f3;text-align:left;white-space:nowrap}
th{background:#f2f4f7;font-weight:600}
td.text{white-space:normal}
tbody tr:nth-child(even){background:#fafbfc}
.num{text-align:right;font-variant-numeric:tabular-nums}
.null{color:#9aa1ad}
.empty{color:#777;font-style:italic}
footer{color:#8a92a0;font-size:12px;margin-top:32px}
@media print{body{background:#fff}.card,figure,.table-wrap{break-inside:avoid}}
`;

function tableHtml(table: Table): string {
  const head = table.columns.map((c) => `<th scope="col"${isNumericKind(c.kind) ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('');
  const rows = table.rows.map((row) => {
    const tds = table.columns.map((c) => {
      const text = formatCell(row[c.key], c.kind);
      const cls = [isNumericKind(c.kind) ? 'num' : c.kind, text === NULL_TEXT ? 'null' : ''].filter(Boolean).join(' ');
      return `<td class="${cls}">${esc(text)}</td>`;
    });
    return `<tr>${tds.join('')}</tr>`;
  });
  if (rows.length === 0) rows.push(`<tr><td class="empty" colspan="${Math.max(1, table.columns.length)}">No rows.</td></tr>`);
  return `<div class="table-wrap"><table><caption>${esc(table.title)}</caption><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function sectionHtml(section: Section, i: number): string {
  const parts = [`<section id="section-${i + 1}"><h2>${esc(section.title)}</h2>`];
  if (section.charts.length > 0) {
    parts.push('<div class="charts">');
    for (const chart of section.charts) parts.push(`<figure><figcaption>${esc(chart.title)}</figcaption>${chartSvg(chart)}</figure>`);
    parts.push('</div>');
  }
  for (const table of section.tables) parts.push(tableHtml(table));
  parts.push('</section>');
  return parts.join('\n');
}

/** The summary block: one card per section with its summary lines, linking to the section. */
function summaryHtml(report: Report): string {
  const cards = report.sections
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.summary.length > 0)
    .map(({ s, i }) => `<div class="card"><h3><a href="#section-${i + 1}">${esc(s.title)}</a></h3><ul>${s.summary.map((l) => `<li>${esc(l)}</li>`).join('')}</ul></div>`);
  return cards.length > 0 ? `<section class="summary" aria-label="Summary">${cards.join('')}</section>` : '';
}

export function renderHtml(report: Report): string {
  const filters = Object.keys(report.filters)
    .sort()
    .map((k) => `<li>${esc(k)}: ${esc(report.filters[k] ?? '')}</li>`)
    .join('');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(report.title)} — ${esc(report.asOf)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body><main>',
    `<header><h1>${esc(report.title)}</h1><p class="meta">As of <strong>${esc(report.asOf)}</strong></p>${filters ? `<ul class="filters">${filters}</ul>` : ''}</header>`,
    summaryHtml(report),
    ...report.sections.map(sectionHtml),
    `<footer>Generated ${esc(report.generatedAt)} by golden.</footer>`,
    '</main></body>',
    '</html>',
    '',
  ].join('\n');
}
