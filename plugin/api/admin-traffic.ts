/**
 *   GET admin/traffic?days=&utcOffset=&user=&share=   requests and body bytes per day, from the audit log
 *
 * The query is checked against schemas/admin-traffic-query.schema.json; the
 * answer is described by schemas/admin-traffic-response.schema.json. Days
 * are counted on the caller's clock (`utcOffset`, minutes ahead of UTC).
 */
import type { Context } from 'koa';
import { auditTraffic } from '../access/audit-traffic.js';
import type { AdminContext } from './admin-context.js';
import { schemaValidator, sendJson } from './http.js';

interface TrafficQueryParams {
  days?: number;
  utcOffset?: number;
  user?: string;
  share?: string;
}

const validateTrafficQuery = schemaValidator<TrafficQueryParams>('admin-traffic-query.schema.json', { coerce: true });

export const TRAFFIC_DAYS = 30;

export async function trafficPerDay(ctx: Context, admin: AdminContext): Promise<void> {
  const { services } = admin;
  const query = validateTrafficQuery({ ...ctx.query });
  const days = query.days ?? TRAFFIC_DAYS;
  const utcOffset = query.utcOffset ?? 0;
  const user = query.user?.trim() || null;
  const share = query.share?.trim() || null;
  // What is still waiting to be written belongs to today's numbers.
  await services.auditLog()?.flush();
  const traffic = await auditTraffic(services.host.db, {
    days,
    utcOffsetMinutes: utcOffset,
    ...(user ? { user } : {}),
    ...(share ? { mount: share } : {}),
  });
  const totals = { requests: 0, bytesIn: 0, bytesOut: 0 };
  for (const day of traffic.days) {
    totals.requests += day.requests;
    totals.bytesIn += day.bytesIn;
    totals.bytesOut += day.bytesOut;
  }
  const shares = new Set([...services.snapshot().shares.keys(), ...traffic.mounts]);
  sendJson(ctx, 200, {
    enabled: services.snapshot().settings.auditEnabled,
    days,
    utcOffset,
    user,
    share,
    perDay: traffic.days,
    totals,
    users: traffic.users,
    shares: [...shares].sort((a, b) => a.localeCompare(b)),
  });
}
