// Hand-written SVG charts (no dependency): a line chart with a log or linear x axis, and a
// horizontal bar chart. Plain strings, readable in any browser or on GitHub.

export interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  points: { x: number; y: number }[];
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  series: Series[];
  /** A horizontal reference line, e.g. a latency limit. */
  reference?: { y: number; label: string };
}

const WIDTH = 720;
const HEIGHT = 420;
const PAD = { left: 70, right: 170, top: 40, bottom: 55 };

export function lineChart(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  const xs = points.map((p) => p.x);
  const ys = [...points.map((p) => p.y), ...(chart.reference ? [chart.reference.y] : [])];
  const fx = chart.logX ? Math.log10 : (v: number) => v;
  const xMin = fx(xs.length > 0 ? Math.min(...xs) : 1);
  const xMax = fx(xs.length > 0 ? Math.max(...xs) : 1);
  const yMax = niceCeil(Math.max(...ys, 1) * 1.1);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const sx = (x: number) => PAD.left + (xMax === xMin ? plotW / 2 : ((fx(x) - xMin) / (xMax - xMin)) * plotW);
  const sy = (y: number) => PAD.top + plotH - (y / yMax) * plotH;

  const parts: string[] = [];
  parts.push(`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(chart.title)}</text>`);
  // y grid and ticks
  for (let i = 0; i <= 5; i++) {
    const y = (yMax / 5) * i;
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${fmt(y)}</text>`);
  }
  // x ticks at the measured x values
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#eee"/>`);
    parts.push(`<text x="${sx(x)}" y="${PAD.top + plotH + 16}" text-anchor="middle" font-size="11">${fmt(x)}</text>`);
  }
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 14}" text-anchor="middle" font-size="12">${esc(chart.xLabel)}</text>`);
  parts.push(
    `<text x="18" y="${PAD.top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 18 ${PAD.top + plotH / 2})">${esc(chart.yLabel)}</text>`,
  );
  if (chart.reference) {
    const y = sy(chart.reference.y);
    parts.push(`<line x1="${PAD.left}" x2="${PAD.left + plotW}" y1="${y}" y2="${y}" stroke="#c00" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${PAD.left + plotW - 4}" y="${y - 5}" text-anchor="end" font-size="11" fill="#c00">${esc(chart.reference.label)}</text>`);
  }
  chart.series.forEach((series, index) => {
    const valid = series.points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.x - b.x);
    if (valid.length > 0) {
      const path = valid.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(" ");
      parts.push(
        `<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      );
      for (const p of valid) parts.push(`<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3" fill="${series.color}"/>`);
    }
    const ly = PAD.top + 10 + index * 20;
    const lx = PAD.left + plotW + 14;
    parts.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly}" y2="${ly}" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
    );
    parts.push(`<text x="${lx + 30}" y="${ly + 4}" font-size="12">${esc(series.name)}</text>`);
  });
  return svg(WIDTH, HEIGHT, parts);
}

export interface BarChart {
  title: string;
  unit: string;
  bars: { label: string; value: number; color?: string }[];
}

export function barChart(chart: BarChart): string {
  const rowH = 22;
  const labelW = 260;
  const width = 720;
  const height = 50 + chart.bars.length * rowH + 10;
  const max = Math.max(...chart.bars.map((b) => b.value), 1);
  const barW = width - labelW - 110;
  const parts = [`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(chart.title)}</text>`];
  chart.bars.forEach((bar, i) => {
    const y = 40 + i * rowH;
    const w = Math.max(1, (bar.value / max) * barW);
    parts.push(`<text x="${labelW - 8}" y="${y + 14}" text-anchor="end" font-size="12">${esc(bar.label)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${bar.color ?? "#4a7bd0"}"/>`);
    parts.push(`<text x="${labelW + w + 6}" y="${y + 14}" font-size="12">${fmt(bar.value)} ${esc(chart.unit)}</text>`);
  });
  return svg(width, height, parts);
}

function svg(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${parts.join("\n")}
</svg>
`;
}

function niceCeil(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function fmt(value: number): string {
  if (value >= 1000) return `${Math.round(value).toLocaleString("en-US")}`;
  if (Number.isInteger(value)) return String(value);
  return value < 10 ? value.toFixed(1) : value.toFixed(0);
}

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
