/**
 * bench/results/latest.svg: one group of bars per workload (its main
 * metric), one bar per server, each group on its own scale (the group's
 * largest value fills the height) with the figure written on every bar.
 * Plain SVG text, no library.
 */
export const COLORS = {
  ours: '#e8590c',
  apache: '#364fc7',
  lighttpd: '#2b8a3e',
  rclone: '#862e9c',
  'node-stat': '#868e96',
  'node-stream': '#343a40',
  'node-put': '#adb5bd',
};

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Splits a title into lines of at most `max` characters. */
function wrap(text, max) {
  const lines = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && (cur + ' ' + word).length > max) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

export function renderSvg(report) {
  const servers = report.servers;
  const bar = 22;
  const gap = 4;
  const groupGap = 34;
  const groupWidth = servers.length * (bar + gap) - gap;
  const left = 20;
  const top = 74;
  const plotHeight = 220;
  const labelLines = 4;
  const width = Math.max(820, left * 2 + report.workloads.length * (groupWidth + groupGap) - groupGap);
  const height = top + plotHeight + 16 + labelLines * 13 + 20;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(report.chartTitle)}</text>`);
  let lx = left;
  for (const s of servers) {
    out.push(
      `<rect x="${lx}" y="34" width="12" height="12" fill="${COLORS[s] ?? '#999'}"/><text x="${lx + 16}" y="44">${esc(s)}</text>`,
    );
    lx += 22 + s.length * 7 + 14;
  }
  out.push(
    `<text x="${left}" y="62" fill="#555">medians; each group has its own scale; ↑ higher is better, ↓ lower is better; – = the server does not do this</text>`,
  );
  const base = top + plotHeight;
  report.workloads.forEach((w, gi) => {
    const info = report.metrics[w.primary];
    const x0 = left + gi * (groupWidth + groupGap);
    const values = servers.map((s) => w.results[s]?.median?.[w.primary]);
    const max = Math.max(...values.filter((v) => typeof v === 'number' && v > 0), 0);
    out.push(`<line x1="${x0 - 4}" y1="${base}" x2="${x0 + groupWidth + 4}" y2="${base}" stroke="#333"/>`);
    servers.forEach((s, i) => {
      const v = values[i];
      const x = x0 + i * (bar + gap);
      if (typeof v !== 'number' || Number.isNaN(v) || max === 0) {
        out.push(`<text x="${x + bar / 2}" y="${base - 4}" text-anchor="middle" fill="#999">–</text>`);
        return;
      }
      const h = Math.max(1, (v / max) * plotHeight);
      const label = v >= 100 ? Math.round(v).toLocaleString('en') : Number(v.toPrecision(3)).toString();
      out.push(
        `<rect x="${x}" y="${(base - h).toFixed(1)}" width="${bar}" height="${h.toFixed(1)}" fill="${COLORS[s] ?? '#999'}"><title>${esc(`${s}: ${label} ${info.label}`)}</title></rect>`,
      );
      // Vertical figures: inside the top of a tall bar, else just above it.
      const inside = h > label.length * 6.5 + 10;
      const ty = inside ? base - h + 5 : base - h - 4;
      out.push(
        `<text transform="translate(${x + bar / 2 + 4} ${ty.toFixed(1)}) rotate(-90)"${inside ? ' text-anchor="end" fill="#fff"' : ' fill="#222"'}>${esc(label)}</text>`,
      );
    });
    const title = [
      ...wrap(w.title, Math.max(14, Math.floor(groupWidth / 6))).slice(0, labelLines - 1),
      `${info.label} ${info.better === 'higher' ? '↑' : '↓'}`,
    ];
    title.forEach((line, li) =>
      out.push(
        `<text x="${x0 + groupWidth / 2}" y="${base + 16 + li * 13}" text-anchor="middle" ${li === title.length - 1 ? 'fill="#555"' : ''}>${esc(line)}</text>`,
      ),
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
