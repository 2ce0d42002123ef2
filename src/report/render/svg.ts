import type { Chart } from '../types.js';
import { formatCompact } from './format.js';

/**
 * Charts as hand-written inline SVG: no library, no script, no network, so the HTML report is
 * one file that opens anywhere. Every chart has a viewBox and explicit width/height (a bare
 * inline SVG can collapse to zero size); CSS may scale it down on narrow screens. The markup is
 * for inlining in HTML, which puts <svg> in the SVG namespace itself: no xmlns, so the report
 * holds no URL at all (add one to save a chart as a standalone .svg file).
 */

/** Escapes text and attribute values (HTML and SVG alike). */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

/** Okabe–Ito colours (distinguishable with colour-blindness), yellow left out: too pale on white. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#7F7F7F', '#000000'] as const;
const color = (i: number): string => PALETTE[i % PALETTE.length] ?? '#000000';
const TARGET_COLOR = '#B22222';

/** About the width of a chart card on a laptop screen, so text is drawn near its real size. */
const WIDTH = 480;
const HEIGHT = 270;
const FONT = 12;
/** Rough width of one character at FONT px in a system sans-serif: enough to lay out labels. */
const CHAR = 6.8;
const MAX_LABEL = 14;

/** Coordinates with two decimals at most: shorter markup, no "1e-7" in attributes. */
const n2 = (n: number): string => String(Math.round(n * 100) / 100);
const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const withUnit = (v: number, unit: string | undefined): string => {
  const s = v.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return unit ? `${s} ${unit}` : s;
};
const truncate = (s: string, max: number): string => ([...s].length > max ? `${[...s].slice(0, max - 1).join('')}…` : s);

/** About five round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : lo > 0 ? [0, lo] : [lo, 0];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => raw / mag <= m) ?? 10) * mag;
  const first = Math.floor(lo / step);
  const last = Math.ceil(hi / step);
  const ticks: number[] = [];
  // Multiplying integers (not adding steps) avoids 0.30000000000000004.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/** The y range a chart needs: stacked bars by their sums, bars from zero, lines from zero unless that flattens them. */
function valueRange(chart: Chart, n: number): [number, number] | null {
  const values: number[] = [];
  if (chart.kind === 'stacked-bar') {
    for (let i = 0; i < n; i++) {
      const vs = chart.series.map((s) => num(s.values[i]) ?? 0);
      values.push(vs.filter((v) => v > 0).reduce((a, b) => a + b, 0), vs.filter((v) => v < 0).reduce((a, b) => a + b, 0));
    }
    if (!chart.series.some((s) => s.values.slice(0, n).some((v) => num(v) !== null))) return null;
  } else {
    for (const s of chart.series) values.push(...s.values.slice(0, n).flatMap((v) => num(v) ?? []));
    if (values.length === 0) return null;
  }
  const target = num(chart.target?.value);
  if (target !== null) values.push(target);
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (chart.kind !== 'line' || (lo > 0 && lo <= hi / 2)) lo = Math.min(lo, 0);
  if (chart.kind !== 'line' || (hi < 0 && hi >= lo / 2)) hi = Math.max(hi, 0);
  return [lo, hi];
}

interface LegendItem {
  label: string;
  swatch: string;
}

/** Legend items flowed left to right, wrapping to new rows; returns markup and height used. */
function legend(items: LegendItem[], x0: number, y0: number, maxWidth: number): { svg: string; height: number } {
  if (items.length === 0) return { svg: '', height: 0 };
  const row = 18;
  let x = x0;
  let y = y0;
  const parts: string[] = [];
  for (const item of items) {
    const label = truncate(item.label, 40);
    const w = 18 + [...label].length * CHAR + 16;
    if (x > x0 && x + w > x0 + maxWidth) {
      x = x0;
      y += row;
    }
    parts.push(`<g transform="translate(${n2(x)},${n2(y)})">${item.swatch}<text x="16" y="9" dominant-baseline="middle">${escapeXml(label)}</text></g>`);
    x += w;
  }
  return { svg: `<g class="legend">${parts.join('')}</g>`, height: y - y0 + row };
}

function svgOpen(width: number, height: number, title: string, cls: string): string {
  return (
    `<svg class="chart ${cls}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${escapeXml(title)}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="${FONT}">` +
    `<title>${escapeXml(title)}</title>`
  );
}

/** What a chart shows when it has nothing to show: a framed "No data", same width, never an error. */
export function emptyChartSvg(title: string, width = WIDTH): string {
  const height = 120;
  return (
    svgOpen(width, height, `${title}: no data`, 'chart-empty') +
    `<rect x="1" y="1" width="${width - 2}" height="${height - 2}" rx="6" fill="#fafafa" stroke="#ccc" stroke-dasharray="4 4"/>` +
    `<text x="${width / 2}" y="${height / 2}" text-anchor="middle" dominant-baseline="middle" fill="#777" font-size="14">No data</text></svg>`
  );
}

/** A bar, grouped bar, stacked bar or line chart as one `<svg>` element. */
export function chartSvg(chart: Chart, width = WIDTH, height = HEIGHT): string {
  const n = chart.x.length;
  const range = n > 0 && chart.series.length > 0 ? valueRange(chart, n) : null;
  if (range === null) return emptyChartSvg(chart.title, width);

  const isLine = chart.kind === 'line';
  // A target without a usable value is dropped rather than drawn at NaN.
  const target = chart.target && num(chart.target.value) !== null ? chart.target : undefined;
  const swatch = (c: string) =>
    isLine ? `<line x1="0" y1="9" x2="12" y2="9" stroke="${c}" stroke-width="2.5"/>` : `<rect x="0" y="3" width="12" height="12" rx="2" fill="${c}"/>`;
  const items: LegendItem[] = chart.series.length > 1 ? chart.series.map((s, i) => ({ label: s.name, swatch: swatch(color(i)) })) : [];
  if (target) {
    items.push({ label: target.label, swatch: `<line x1="0" y1="9" x2="12" y2="9" stroke="${TARGET_COLOR}" stroke-width="2" stroke-dasharray="4 2"/>` });
  }

  const ticks = niceTicks(range[0], range[1]);
  const tickLabels = ticks.map(formatCompact);
  const left = 10 + Math.max(...tickLabels.map((t) => t.length)) * CHAR + 6;
  const right = 16;
  const lg = legend(items, left, 8, width - left - right);
  // The top tick label sits half a line above the plot, the unit a line above that.
  const top = 8 + lg.height + (chart.unit ? 22 : 8);
  const bottom = 30;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const lo = ticks[0] ?? 0;
  const hi = ticks[ticks.length - 1] ?? 1;
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const band = plotW / n;
  const cx = (i: number) => left + (i + 0.5) * band;

  const out: string[] = [svgOpen(width, height, chart.title, `chart-${chart.kind}`), lg.svg];
  if (chart.unit) out.push(`<text class="unit" x="4" y="${n2(top - 12)}" fill="#555" text-anchor="start">${escapeXml(chart.unit)}</text>`);

  // Grid and y axis.
  out.push('<g class="axis y-axis">');
  ticks.forEach((t, i) => {
    const ty = n2(y(t));
    out.push(`<line x1="${n2(left)}" x2="${n2(left + plotW)}" y1="${ty}" y2="${ty}" stroke="${t === 0 ? '#888' : '#e5e5e5'}"/>`);
    out.push(`<text x="${n2(left - 6)}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#555">${escapeXml(tickLabels[i] ?? '')}</text>`);
  });
  out.push('</g>');

  // X labels: every k-th one when they would overlap, long ones shortened (full text on hover).
  const longest = Math.min(MAX_LABEL, Math.max(...chart.x.map((s) => [...s].length)));
  const every = Math.max(1, Math.ceil((longest * CHAR + 8) / band));
  out.push('<g class="axis x-axis">');
  chart.x.forEach((label, i) => {
    if (i % every !== 0) return;
    out.push(
      `<text x="${n2(cx(i))}" y="${n2(top + plotH + 16)}" text-anchor="middle" fill="#555"><title>${escapeXml(label)}</title>${escapeXml(truncate(label, MAX_LABEL))}</text>`,
    );
  });
  out.push('</g>');

  const tip = (series: string, i: number, v: number) => `<title>${escapeXml(`${series} · ${chart.x[i] ?? ''}: ${withUnit(v, chart.unit)}`)}</title>`;
  out.push('<g class="marks">');
  if (chart.kind === 'bar') {
    const group = band * 0.8;
    const w = group / chart.series.length;
    chart.series.forEach((s, si) => {
      for (let i = 0; i < n; i++) {
        const v = num(s.values[i]);
        if (v === null) continue;
        const [y0, y1] = [y(Math.max(v, 0)), y(Math.min(v, 0))];
        const x = cx(i) - group / 2 + si * w;
        out.push(`<rect class="mark bar" x="${n2(x)}" y="${n2(y0)}" width="${n2(Math.max(w - 1, 1))}" height="${n2(y1 - y0)}" fill="${color(si)}">${tip(s.name, i, v)}</rect>`);
      }
    });
  } else if (chart.kind === 'stacked-bar') {
    const w = band * 0.7;
    for (let i = 0; i < n; i++) {
      let pos = 0;
      let neg = 0;
      chart.series.forEach((s, si) => {
        const v = num(s.values[i]);
        if (v === null || v === 0) return;
        const base = v > 0 ? pos : neg;
        const [y0, y1] = v > 0 ? [y(base + v), y(base)] : [y(base), y(base + v)];
        if (v > 0) pos += v;
        else neg += v;
        out.push(`<rect class="mark bar" x="${n2(cx(i) - w / 2)}" y="${n2(y0)}" width="${n2(w)}" height="${n2(y1 - y0)}" fill="${color(si)}">${tip(s.name, i, v)}</rect>`);
      });
    }
  } else {
    chart.series.forEach((s, si) => {
      const vals = Array.from({ length: n }, (_, i) => num(s.values[i]));
      // One path per series; a null starts a new sub-path, so gaps show as gaps, not as zero.
      let d = '';
      vals.forEach((v, i) => {
        if (v === null) return;
        d += `${i > 0 && vals[i - 1] != null ? 'L' : 'M'}${n2(cx(i))},${n2(y(v))}`;
      });
      out.push(`<path class="mark series-line" d="${d}" fill="none" stroke="${color(si)}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"><title>${escapeXml(s.name)}</title></path>`);
      // Points: all of them on short series, else only isolated ones a path cannot draw.
      vals.forEach((v, i) => {
        if (v === null || (n > 60 && (vals[i - 1] != null || vals[i + 1] != null))) return;
        out.push(`<circle class="mark point" cx="${n2(cx(i))}" cy="${n2(y(v))}" r="3" fill="${color(si)}">${tip(s.name, i, v)}</circle>`);
      });
    });
  }
  out.push('</g>');

  if (target) {
    const ty = n2(y(target.value));
    const text = `${target.label} (${withUnit(target.value, chart.unit)})`;
    out.push(
      `<g class="target"><line x1="${n2(left)}" x2="${n2(left + plotW)}" y1="${ty}" y2="${ty}" stroke="${TARGET_COLOR}" stroke-width="1.5" stroke-dasharray="6 4"/>` +
        `<text x="${n2(left + plotW)}" y="${n2(Number(ty) - 5)}" text-anchor="end" fill="${TARGET_COLOR}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeXml(text)}</text></g>`,
    );
  }
  out.push('</svg>');
  return out.join('');
}
