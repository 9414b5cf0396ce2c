/**
 * The Host object each plugin activation receives: the host's shared services
 * plus that activation's own router, filters and UI registrations.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { HOST_API_VERSION, type Host, type HostInfo, type HostSettings } from '../plugin/host-api.js';
import type { DbGroups } from './groups.js';
import { pluginLogger, type HostLogger } from './log.js';
import type { CountingMedia } from './media.js';
import { packageRoot } from './paths.js';
import type { Activation } from './plugin-activation.js';
import type { HostFactory } from './plugin-loader.js';
import type { Sessions } from './sessions.js';
import type { TlsService } from './tls.js';
import type { DbUsers } from './users.js';

export interface HostServices {
  readonly info: HostInfo;
  readonly settings: HostSettings;
  readonly users: DbUsers;
  readonly groups: DbGroups;
  readonly db: Knex;
  readonly media: CountingMedia;
  readonly sessions: Sessions;
  readonly log: HostLogger;
  readonly tls: TlsService;
}

export function hostInfo(): HostInfo {
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return Object.freeze({ name: 'mediahost', version: pkg.version ?? '0.0.0', apiVersion: HOST_API_VERSION });
}

/** Settings whose listeners end with the activation, even when the plugin forgets to unsubscribe. */
function scopedSettings(settings: HostSettings, activation: Activation): HostSettings {
  return {
    get: (key) => settings.get(key),
    all: () => settings.all(),
    update: (changes) => settings.update(changes),
    onChange: (listener) => {
      const off = settings.onChange(listener);
      activation.onDispose(off);
      return off;
    },
  };
}

export function hostFactory(services: HostServices): HostFactory {
  return (plugin, activation): Host =>
    Object.freeze({
      info: services.info,
      router: activation.router,
      settings: scopedSettings(services.settings, activation),
      users: services.users,
      groups: services.groups,
      db: services.db,
      filters: activation.filtersApi,
      ui: activation.uiApi,
      media: services.media,
      session: services.sessions,
      log: pluginLogger(services.log, plugin.id),
      tls: { current: () => services.tls.current() },
    });
}
