/**
 * What decides whether an absolute URI in a Destination or an If resource tag
 * names this server (headers/destination.ts): the Host header as received, the
 * origin the client used as the host reports it (proxy-aware when the host
 * trusts a proxy, plugin/host-api.ts), and `webdav.baseurl`.
 */
import type { DavRequest } from './context.js';
import type { RequestAuthority } from './headers/destination.js';

export function requestAuthority(request: DavRequest): RequestAuthority {
  const origin = (request.ctx.state as { publicOrigin?: unknown }).publicOrigin;
  return {
    host: request.ctx.get('host') || undefined,
    baseUrl: request.services.snapshot().settings.baseUrl,
    ...(typeof origin === 'string' && origin !== '' ? { publicOrigin: origin } : {}),
  };
}
