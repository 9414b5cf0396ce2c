/**
 *   GET admin/audit?q=&offset=&limit=   the audit log of WebDAV requests, newest first
 *
 * The query is checked against schemas/admin-audit-query.schema.json.
 */
import type { Context } from 'koa';
import { searchAudit, type AuditEntry } from '../access/audit.js';
import type { AdminContext } from './admin-context.js';
import { schemaValidator, sendJson } from './http.js';

interface AuditQueryParams {
  q?: string;
  offset?: number;
  limit?: number;
}

const validateAuditQuery = schemaValidator<AuditQueryParams>('admin-audit-query.schema.json', { coerce: true });

export async function auditLog(ctx: Context, admin: AdminContext): Promise<void> {
  const { services } = admin;
  const query = validateAuditQuery({ ...ctx.query });
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 50;
  const audit = services.auditLog();
  // Switched off, the log is still readable: what was recorded stays in webdav_audit.
  const search = { text: query.q ?? '', offset, limit };
  const page = audit ? await audit.search(search) : await searchAudit(services.host.db, search);
  sendJson(ctx, 200, {
    enabled: services.snapshot().settings.auditEnabled,
    total: page.total,
    offset,
    limit,
    entries: page.entries.map((e: AuditEntry) => ({ ...e, time: e.time.toISOString() })),
  });
}
