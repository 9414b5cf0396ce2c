/**
 * The results as a text table (stdout), as JSON (bench/results/latest.json)
 * and the list of targets met and missed. Every figure is the median of the
 * runs, except errors (summed over all runs) and our peak RSS (the highest).
 * Ratios are ours ÷ peer in the metric's own unit: for ↑ metrics above 1 is
 * better than the peer, for ↓ metrics (times, latencies) below 1 is.
 */
export const DASH = '–';

const fmt = (v, digits) =>
  typeof v !== 'number' || Number.isNaN(v)
    ? DASH
    : v.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function cell(entry, metric, info) {
  if (!entry) return DASH;
  if (entry.failed && entry.median?.[metric] === undefined) return 'failed';
  return fmt(entry.median?.[metric], info.digits);
}

function pad(s, n, left = false) {
  const len = [...s].length;
  return len >= n ? s : left ? s + ' '.repeat(n - len) : ' '.repeat(n - len) + s;
}

/** Rows of [workload title, metric label, ...server cells, ...ratio cells]. */
export function tableRows(report) {
  const peers = report.servers.filter((s) => s !== 'ours');
  const header = ['workload', 'metric', ...report.servers, ...peers.map((p) => `ours/${p}`)];
  const rows = [];
  for (const w of report.workloads) {
    w.metrics.forEach((metric, i) => {
      const info = report.metrics[metric];
      const arrow = info.better === 'higher' ? '↑' : '↓';
      const label = info.oursOnly ? `${info.label} ${arrow}` : `${info.label} ${arrow}`;
      const values = report.servers.map((s) =>
        info.oursOnly && s !== 'ours' ? DASH : cell(w.results[s], metric, info),
      );
      const ratios = peers.map((p) => {
        const r = w.ratios?.[p]?.[metric];
        return typeof r === 'number' && !info.oursOnly && metric !== 'errors' ? `${r.toFixed(2)}×` : DASH;
      });
      rows.push([i === 0 ? w.title : '', label, ...values, ...ratios]);
    });
  }
  return { header, rows };
}

export function formatTable(report) {
  const { header, rows } = tableRows(report);
  const widths = header.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...r[c]].length)));
  const line = (cells) =>
    cells
      .map((v, c) => pad(v, widths[c], c < 2))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** A Markdown version of the same table, for bench/README.md. */
export function formatMarkdown(report) {
  const { header, rows } = tableRows(report);
  const esc = (s) => s.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map((_, c) => (c < 2 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function formatChecks(checks) {
  const lines = checks.map((c) => {
    const mark = c.status === 'met' ? 'met    ' : c.status === 'missed' ? 'MISSED ' : 'n/a    ';
    const detail =
      c.ratio !== undefined
        ? `ours ${fmtNum(c.ours)} vs ${c.peerId} ${fmtNum(c.peer)} = ${c.ratio.toFixed(2)}×`
        : c.ours !== undefined
          ? `ours ${fmtNum(c.ours)}`
          : 'not measured in this run';
    return `  ${mark} ${c.text.padEnd(44)} ${detail}`;
  });
  const missed = checks.filter((c) => c.status === 'missed').length;
  const met = checks.filter((c) => c.status === 'met').length;
  return `targets (ratio targets within 10 % count as met): ${met} met, ${missed} missed, ${checks.length - met - missed} not measured\n${lines.join('\n')}`;
}

const fmtNum = (v) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en') : Number(v.toPrecision(3)).toString());
