/**
 * What `--check` holds our server to (issue 10). Ratios are taken within
 * the same run; a ratio target missed by less than 10 % counts as met
 * (TOLERANCE). `than: 'fastest'` means the best of the WebDAV peers that
 * answered the workload. `max` (≤) and `below` (<) are absolute bounds on
 * our own figure, not relaxed by the tolerance; RSS is in MB (10^6 bytes).
 *
 *   workload       metric   ours must be …                       than
 */
export const TOLERANCE = 0.1;

export const TARGETS = [
  // Small requests: at least Apache's rate, a p99 no worse than Apache's, no errors.
  { workload: 'propfind0', metric: 'rps', atLeast: 1.0, than: 'apache' },
  { workload: 'propfind0', metric: 'p99', atMost: 1.0, than: 'apache' },
  { workload: 'propfind0', metric: 'errors', max: 0 },
  { workload: 'propfind1', metric: 'rps', atLeast: 1.0, than: 'apache' },
  { workload: 'propfind1', metric: 'p99', atMost: 1.0, than: 'apache' },
  { workload: 'propfind1', metric: 'errors', max: 0 },
  { workload: 'get-small', metric: 'rps', atLeast: 1.0, than: 'apache' },
  { workload: 'get-small', metric: 'p99', atMost: 1.0, than: 'apache' },
  { workload: 'get-small', metric: 'errors', max: 0 },
  { workload: 'get-small', metric: 'rps', atLeast: 0.8, than: 'node-stat' },
  { workload: 'mixed', metric: 'rps', atLeast: 1.0, than: 'apache' },
  { workload: 'mixed', metric: 'p99', atMost: 1.0, than: 'apache' },
  { workload: 'mixed', metric: 'errors', max: 0 },
  // Big listings.
  { workload: 'propfind-10k', metric: 'seconds', atMost: 1.0, than: 'fastest' },
  { workload: 'propfind-100k', metric: 'seconds', atMost: 1.2, than: 'fastest' },
  { workload: 'propfind-100k', metric: 'rss', below: 200 },
  // Photo-aware shares (issue 13): a date view's month no slower than 1.2 × the real folder of as many files.
  { workload: 'dateview-5k', metric: 'ratio', max: 1.2 },
  { workload: 'dateview-5k', metric: 'errors', max: 0 },
  // Big files.
  { workload: 'get-1g', metric: 'mbps', atLeast: 0.9, than: 'node-stream' },
  { workload: 'range', metric: 'rps', atLeast: 1.0, than: 'apache' },
  { workload: 'put-1g', metric: 'mbps', atLeast: 0.9, than: 'apache' },
  { workload: 'put-1g', metric: 'mbps', atLeast: 0.5, than: 'lighttpd' },
  { workload: 'put-1g', metric: 'rss', below: 150 },
  // Many uploads.
  { workload: 'uploads', metric: 'fps', atLeast: 1.0, than: 'apache' },
];

/** The WebDAV peers "fastest" chooses from. */
export const DAV_PEERS = ['apache', 'lighttpd', 'rclone'];

/**
 * Evaluates every target against the medians: results[workload][server][metric].
 * Returns [{ target, text, status: 'met' | 'missed' | 'not measured', ours, peer, peerId, ratio }].
 */
export function evaluate(results, metricInfo) {
  return TARGETS.map((t) => {
    const m = metricInfo[t.metric];
    const ours = results[t.workload]?.ours?.[t.metric];
    const base = { target: t, text: describe(t, m) };
    if (ours === undefined || ours === null || Number.isNaN(ours)) return { ...base, status: 'not measured' };
    if (t.max !== undefined) return { ...base, ours, status: ours <= t.max ? 'met' : 'missed' };
    if (t.below !== undefined) return { ...base, ours, status: ours < t.below ? 'met' : 'missed' };
    let peerId = t.than;
    if (t.than === 'fastest') {
      const lowerIsBetter = m.better === 'lower';
      const candidates = DAV_PEERS.map((id) => [id, results[t.workload]?.[id]?.[t.metric]]).filter(
        ([, v]) => typeof v === 'number' && !Number.isNaN(v),
      );
      if (candidates.length === 0) return { ...base, ours, status: 'not measured' };
      candidates.sort((a, b) => (lowerIsBetter ? a[1] - b[1] : b[1] - a[1]));
      peerId = candidates[0][0];
    }
    const peer = results[t.workload]?.[peerId]?.[t.metric];
    if (typeof peer !== 'number' || Number.isNaN(peer) || peer === 0)
      return { ...base, ours, peerId, status: 'not measured' };
    const ratio = ours / peer;
    const ok = t.atLeast !== undefined ? ratio >= t.atLeast * (1 - TOLERANCE) : ratio <= t.atMost * (1 + TOLERANCE);
    return { ...base, ours, peer, peerId, ratio, status: ok ? 'met' : 'missed' };
  });
}

function describe(t, m) {
  if (t.max !== undefined) return `${t.workload} ${m.label} ≤ ${t.max}`;
  if (t.below !== undefined) return `${t.workload} ${m.label} < ${t.below}`;
  return `${t.workload} ${m.label} ${t.atLeast !== undefined ? '≥' : '≤'} ${(t.atLeast ?? t.atMost).toFixed(1)} × ${t.than}`;
}
