import type { Cell, Chart, Report, Section, Table } from '../types.js';

/**
 * Objects are rebuilt in one fixed key order (the order of the types, row keys in column order,
 * filters sorted) so that two runs over the same data give byte-identical files, whatever order
 * the queries happened to build them in. Values are kept raw.
 */
function table(t: Table): Table {
  const keys = t.columns.map((c) => c.key);
  const rows = t.rows.map((row) => {
    const out: Record<string, Cell> = {};
    // Keys outside the columns are kept too (after them, sorted): the renderer drops nothing.
    const extra = Object.keys(row).filter((k) => !keys.includes(k)).sort();
    for (const k of [...keys, ...extra]) if (k in row) out[k] = row[k] ?? null;
    return out;
  });
  return { title: t.title, columns: t.columns.map((c) => ({ key: c.key, label: c.label, kind: c.kind })), rows };
}

function chart(c: Chart): Chart {
  const out: Chart = { title: c.title, kind: c.kind, x: [...c.x], series: c.series.map((s) => ({ name: s.name, values: [...s.values] })) };
  if (c.unit !== undefined) out.unit = c.unit;
  if (c.target !== undefined) out.target = { label: c.target.label, value: c.target.value };
  return out;
}

function section(s: Section): Section {
  return { title: s.title, summary: [...s.summary], charts: s.charts.map(chart), tables: s.tables.map(table) };
}

export function renderJson(report: Report): string {
  const filters: Record<string, string> = {};
  for (const k of Object.keys(report.filters).sort()) filters[k] = report.filters[k] ?? '';
  const ordered: Report = {
    kind: report.kind,
    title: report.title,
    asOf: report.asOf,
    generatedAt: report.generatedAt,
    filters,
    sections: report.sections.map(section),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
