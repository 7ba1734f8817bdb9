// A line chart as a standalone SVG document, drawn without dependencies: the per-second series of
// the flash-sale benchmark (rates on the left axis, latencies on the right one). Pure function,
// covered by e2e/test/bench-helpers.spec.ts.

const WIDTH = 900;
const HEIGHT = 420;
const PAD = { left: 70, right: 80, top: 50, bottom: 60 };
const PALETTE = ['#1f77b4', '#2ca02c', '#d62728', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * @param {{ title: string, x: number[], xLabel?: string,
 *           series: { name: string, values: (number|null)[], axis?: 'left'|'right', dashed?: boolean }[],
 *           leftLabel?: string, rightLabel?: string }} chart
 * @returns {string} the SVG document; a null value breaks its line (nothing was measured then)
 */
export function lineChartSvg({ title, x, xLabel = 'seconds since the sale opened', series, leftLabel = '', rightLabel = '' }) {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xMax = Math.max(1, ...x);
  const axisMax = (axis) => niceCeiling(Math.max(0, ...series.filter((s) => (s.axis ?? 'left') === axis).flatMap((s) => s.values.filter((v) => v != null))));
  const max = { left: axisMax('left'), right: axisMax('right') };
  const hasRight = series.some((s) => s.axis === 'right');
  const px = (v) => PAD.left + (v / xMax) * plotW;
  const py = (v, axis) => PAD.top + plotH - (v / max[axis]) * plotH;

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
  ];
  // Grid and ticks: five steps on each axis.
  for (let i = 0; i <= 5; i++) {
    const y = PAD.top + plotH - (i / 5) * plotH;
    parts.push(`<line x1="${PAD.left}" y1="${y}" x2="${PAD.left + plotW}" y2="${y}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${fmt((max.left * i) / 5)}</text>`);
    if (hasRight) parts.push(`<text x="${PAD.left + plotW + 6}" y="${y + 4}">${fmt((max.right * i) / 5)}</text>`);
    const xv = (xMax * i) / 5;
    parts.push(`<text x="${px(xv)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${fmt(xv)}</text>`);
  }
  parts.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${PAD.left + plotW / 2}" y="${HEIGHT - 22}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(18 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(leftLabel)}</text>`);
  if (hasRight) parts.push(`<text transform="translate(${WIDTH - 14} ${PAD.top + plotH / 2}) rotate(90)" text-anchor="middle">${escapeXml(rightLabel)}</text>`);

  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length];
    const axis = s.axis ?? 'left';
    // One path, a new sub-path (M) after each gap.
    let d = '';
    let pen = false;
    s.values.forEach((v, j) => {
      if (v == null || x[j] == null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${round2(px(x[j]))},${round2(py(v, axis))}`;
      pen = true;
    });
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    const lx = PAD.left + 10 + i * 160;
    parts.push(`<line x1="${lx}" y1="38" x2="${lx + 20}" y2="38" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text x="${lx + 24}" y="42">${escapeXml(`${s.name}${axis === 'right' ? ' (right)' : ''}`)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above v (1 for 0), so the axis ends on a round number. */
export function niceCeiling(v) {
  if (!(v > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= v) return step * magnitude;
  return 10 * magnitude;
}

export function escapeXml(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

const round2 = (n) => Math.round(n * 100) / 100;
const fmt = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
