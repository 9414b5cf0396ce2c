/**
 * Loads plugins and switches them on and off at run time.
 *
 * Each plugin is mounted once, behind its switch: while it is active the
 * mount runs its filters and routes, otherwise it passes the request on.
 * The switch lives in the `plugins` table, which the CLI may change while the
 * server runs, so the table is polled.
 */
import type { Knex } from 'knex';
import type { Middleware } from 'koa';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Host, PluginModule } from '../plugin/host-api.js';
import { toBool } from './db.js';
import type { HostLogger } from './log.js';
import { ManifestError, readManifest, type Manifest } from './manifest.js';
import { packageRoot, isInside } from './paths.js';
import { Activation, type ModuleKind } from './plugin-activation.js';

export type PluginState = 'active' | 'inactive' | 'failed' | 'invalid';

export interface LoadedPlugin {
  readonly id: string;
  readonly folder: string;
  readonly manifest?: Manifest;
  enabled: boolean;
  state: PluginState;
  error?: string;
  module?: PluginModule;
  activation?: Activation;
  /** Activations and deactivations of one plugin run one after the other. */
  queue: Promise<void>;
}

export interface UiModuleInfo {
  readonly pluginId: string;
  readonly title: string;
  readonly element: string;
  readonly url: string;
}

/** An admin page by its number in /admin/pages/N. */
export interface AdminPage {
  readonly number: number;
  readonly plugin: LoadedPlugin;
  readonly title: string;
  /** Set while the plugin is active and has registered the page. */
  readonly module?: UiModuleInfo;
}

export type HostFactory = (plugin: LoadedPlugin, activation: Activation) => Host;

/**
 * The plugin folders to load: the setting `host.plugins` (comma-separated,
 * relative to the data folder; empty means none), by default this repository.
 */
export function pluginFolders(setting: string | undefined, dataDir: string): string[] {
  if (setting === undefined) return [packageRoot()];
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => path.resolve(dataDir, s));
}

/** The entry module's real path; refuses an entry that leads out of the plugin folder (e.g. through a symlink). */
async function resolveEntry(folder: string, entry: string): Promise<string> {
  const realFolder = await realpath(folder);
  const file = path.resolve(realFolder, entry);
  if (!isInside(realFolder, file)) throw new ManifestError(`entry "${entry}" is outside the plugin folder`);
  let real: string;
  try {
    real = await realpath(file);
  } catch {
    throw new ManifestError(`entry "${entry}" does not exist (${file}); is the plugin built?`);
  }
  if (!isInside(realFolder, real)) throw new ManifestError(`entry "${entry}" leads outside the plugin folder`);
  return real;
}

function isPluginModule(m: unknown): m is PluginModule {
  const o = m as Partial<PluginModule> | null;
  return !!o && typeof o.activate === 'function' && typeof o.deactivate === 'function';
}

/**
 * Every plugin's mount, in load order: each one hands its `next` on to the
 * following plugin. Built once, so that a request costs no composed dispatch
 * (a bound function and a promise per plugin), and the last plugin gets the
 * app's `next` itself.
 */
function mountAll(plugins: readonly LoadedPlugin[]): Middleware {
  let chain: Middleware = (_ctx, next) => next();
  for (let i = plugins.length - 1; i >= 0; i--) {
    const p = plugins[i]!;
    const rest = chain;
    // The activation's own compose calls what it is given at most once.
    chain =
      i === plugins.length - 1
        ? (ctx, next) => (p.activation ? p.activation.handle(ctx, next) : next())
        : (ctx, next) => (p.activation ? p.activation.handle(ctx, () => rest(ctx, next)) : rest(ctx, next));
  }
  return chain;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class PluginManager {
  private plugins: LoadedPlugin[] = [];
  private poller: NodeJS.Timeout | undefined;
  private mounts: Middleware | undefined;
  private closed = false;
  /**
   * Which plugin's which admin page each number of /admin/pages/N stands
   * for: numbered when first declared in a manifest or registered, and kept
   * while the plugin is switched off, so that a page's address stays its own
   * and the host can say whose page it is.
   */
  private readonly adminSlots: Array<{ pluginId: string; index: number; title: string }> = [];

  constructor(private readonly deps: { db: Knex; log: HostLogger; hostFor: HostFactory; pollIntervalMs?: number }) {}

  /** Reads every folder's manifest and activates the enabled plugins. A broken plugin never stops the host. */
  async load(folders: readonly string[]): Promise<void> {
    for (const folder of folders) {
      let manifest: Manifest;
      try {
        manifest = await readManifest(folder);
      } catch (err) {
        this.deps.log.error({ folder, error: message(err) }, 'plugin not loaded');
        this.plugins.push({
          id: path.basename(folder),
          folder,
          enabled: false,
          state: 'invalid',
          error: message(err),
          queue: Promise.resolve(),
        });
        continue;
      }
      if (this.get(manifest.id)) {
        const error = `another plugin folder already has the id "${manifest.id}"`;
        this.deps.log.error({ folder, error }, 'plugin not loaded');
        this.plugins.push({
          id: manifest.id,
          folder,
          enabled: false,
          state: 'invalid',
          error,
          queue: Promise.resolve(),
        });
        continue;
      }
      // A plugin is enabled the first time the host sees it.
      await this.deps.db('plugins').insert({ id: manifest.id, enabled: true }).onConflict('id').ignore();
      const row = (await this.deps.db('plugins').where({ id: manifest.id }).first('enabled')) as { enabled: unknown };
      const plugin: LoadedPlugin = {
        id: manifest.id,
        folder,
        manifest,
        enabled: toBool(row.enabled),
        state: 'inactive',
        queue: Promise.resolve(),
      };
      this.plugins.push(plugin);
      // Numbered before activation, so a plugin that starts switched off keeps the same number.
      if (manifest.ui?.adminPage) this.claimAdminSlot(manifest.id, 0, manifest.ui.adminPage.title);
      await this.schedule(plugin);
    }
    this.mounts = mountAll(this.plugins);
    this.poller = setInterval(() => void this.poll(), this.deps.pollIntervalMs ?? 1000);
    this.poller.unref();
  }

  get(id: string): LoadedPlugin | undefined {
    return this.plugins.find((p) => p.id === id && p.manifest !== undefined);
  }

  list(): readonly LoadedPlugin[] {
    return this.plugins;
  }

  /** Persists the switch and applies it now; resolves when the plugin is (de)activated. */
  async setEnabled(id: string, enabled: boolean): Promise<LoadedPlugin> {
    const plugin = this.get(id);
    if (!plugin) throw new Error(`unknown plugin ${id}`);
    await this.deps.db('plugins').where({ id }).update({ enabled });
    plugin.enabled = enabled;
    await this.schedule(plugin);
    return plugin;
  }

  /** Every request passes the mounts of all plugins, in load order. */
  middleware(): Middleware {
    return (ctx, next) => (this.mounts ? this.mounts(ctx, next) : next());
  }

  /** The registered admin pages or About controls of every active plugin. */
  uiModules(kind: ModuleKind): UiModuleInfo[] {
    return this.plugins.flatMap((p) => {
      const a = p.activation;
      if (!a) return [];
      return a
        .modules(kind)
        .map((m, i) => ({ pluginId: p.id, title: m.title, element: m.element, url: a.moduleUrl(kind, i) }));
    });
  }

  /** Every admin page this host has numbered, its module present while its plugin is active. */
  adminPages(): AdminPage[] {
    return this.adminSlots.map((slot, number) => {
      const plugin = this.get(slot.pluginId)!;
      const a = plugin.activation;
      const registered = a?.adminPages[slot.index];
      const module =
        a && registered
          ? {
              pluginId: plugin.id,
              title: registered.title,
              element: registered.element,
              url: a.moduleUrl('admin', slot.index),
            }
          : undefined;
      return { number, plugin, title: registered?.title ?? slot.title, ...(module ? { module } : {}) };
    });
  }

  /** Whether an active plugin serves GET on `path`, e.g. /webdav/main/. */
  serves(path: string): boolean {
    return this.plugins.some((p) => p.activation?.serves(path) ?? false);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poller);
    for (const plugin of this.plugins) {
      plugin.enabled = false;
      await this.schedule(plugin);
    }
  }

  private claimAdminSlot(pluginId: string, index: number, title: string): void {
    const slot = this.adminSlots.find((s) => s.pluginId === pluginId && s.index === index);
    if (slot) slot.title = title;
    else this.adminSlots.push({ pluginId, index, title });
  }

  private schedule(plugin: LoadedPlugin): Promise<void> {
    plugin.queue = plugin.queue.then(() => this.sync(plugin));
    return plugin.queue;
  }

  private async sync(plugin: LoadedPlugin): Promise<void> {
    if (plugin.enabled && !plugin.activation) await this.activate(plugin);
    else if (!plugin.enabled && plugin.activation) await this.deactivate(plugin);
    else if (!plugin.enabled && plugin.state !== 'invalid') {
      plugin.state = 'inactive';
      delete plugin.error;
    }
  }

  private async activate(plugin: LoadedPlugin): Promise<void> {
    const log = this.deps.log.child({ plugin: plugin.id });
    const activation = new Activation(plugin.id, plugin.folder);
    try {
      if (!plugin.module) {
        const entry = await resolveEntry(plugin.folder, plugin.manifest!.entry);
        const mod: unknown = await import(pathToFileURL(entry).href);
        if (!isPluginModule(mod))
          throw new ManifestError(`entry "${plugin.manifest!.entry}" does not export activate() and deactivate()`);
        plugin.module = mod;
      }
      await plugin.module.activate(this.deps.hostFor(plugin, activation));
    } catch (err) {
      activation.dispose();
      plugin.state = 'failed';
      plugin.error = message(err);
      log.error({ err }, 'plugin failed to activate; it stays inactive');
      // Let it release whatever it started before it failed.
      if (plugin.module)
        await plugin.module
          .deactivate()
          .catch((e: unknown) => log.error({ err: e }, 'deactivate after a failed activate failed'));
      return;
    }
    for (const [index, page] of activation.adminPages.entries()) this.claimAdminSlot(plugin.id, index, page.title);
    plugin.activation = activation;
    plugin.state = 'active';
    delete plugin.error;
    log.info({ version: plugin.manifest!.version }, 'plugin activated');
  }

  private async deactivate(plugin: LoadedPlugin): Promise<void> {
    const log = this.deps.log.child({ plugin: plugin.id });
    // Unmount first: no new request reaches the plugin while it shuts down.
    const activation = plugin.activation!;
    plugin.activation = undefined;
    plugin.state = 'inactive';
    try {
      await plugin.module!.deactivate();
      log.info('plugin deactivated');
    } catch (err) {
      log.error({ err }, 'plugin failed to deactivate cleanly');
    }
    activation.dispose();
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    let rows: Array<{ id: string; enabled: unknown }>;
    try {
      rows = (await this.deps.db('plugins').select('id', 'enabled')) as Array<{ id: string; enabled: unknown }>;
    } catch (err) {
      this.deps.log.warn({ error: message(err) }, 'cannot read plugin switches');
      return;
    }
    for (const row of rows) {
      if (this.closed) return;
      const plugin = this.get(row.id);
      if (!plugin || plugin.enabled === toBool(row.enabled)) continue;
      plugin.enabled = toBool(row.enabled);
      this.deps.log.info({ plugin: plugin.id, enabled: plugin.enabled }, 'plugin switch changed in the database');
      void this.schedule(plugin);
    }
  }
}
