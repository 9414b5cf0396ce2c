/**
 * Everything one activation of a plugin registered: its router, its filters,
 * its UI modules and asset folders. @koa/router cannot remove routes, so a
 * deactivation drops the whole Activation and the next one starts empty.
 */
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import compose from 'koa-compose';
import path from 'node:path';
import type { HostFilters, HostUi, UiModule } from '../plugin/host-api.js';
import { isInside } from './paths.js';

const CUSTOM_ELEMENT = /^[a-z][a-z0-9._]*-[a-z0-9._-]*$/;

export type ModuleKind = 'admin' | 'about';

const encodePath = (relative: string): string => relative.split(path.sep).map(encodeURIComponent).join('/');

export class Activation {
  readonly router = new Router();
  readonly adminPages: UiModule[] = [];
  readonly aboutControls: UiModule[] = [];
  readonly assetDirs: string[] = [];
  private readonly filters: Middleware[] = [];
  private handler: Middleware | undefined;
  private readonly disposers: Array<() => void> = [];

  constructor(
    readonly pluginId: string,
    readonly pluginFolder: string,
  ) {}

  readonly filtersApi: HostFilters = {
    register: (filter) => {
      if (typeof filter !== 'function') throw new TypeError('filters.register needs a koa middleware function');
      this.filters.push(filter);
      this.handler = undefined;
    },
  };

  readonly uiApi: HostUi = {
    registerAdminPage: (page) => this.adminPages.push(this.checkModule(page)),
    registerAboutControl: (control) => this.aboutControls.push(this.checkModule(control)),
    serveAssets: (dir) => {
      const abs = this.checkPath(dir, 'serveAssets');
      if (!this.assetDirs.includes(abs)) this.assetDirs.push(abs);
      return this.assetsUrl(this.assetDirs.indexOf(abs));
    },
  };

  /** Runs `fn` when this activation ends, e.g. to drop a settings listener the plugin forgot. */
  onDispose(fn: () => void): void {
    this.disposers.push(fn);
  }

  dispose(): void {
    for (const fn of this.disposers.splice(0)) fn();
  }

  /** The plugin's filters, then its routes. Not allowedMethods: OPTIONS must reach the plugin. */
  handle(ctx: Context, next: Next): Promise<unknown> {
    // routes() fills in ctx.params itself; its type asks for them up front.
    this.handler ??= compose([...this.filters, this.router.routes() as Middleware]);
    return this.handler(ctx, next);
  }

  /** Whether one of the plugin's routes answers GET on `path` (a path the host links to, e.g. a share). */
  serves(path: string): boolean {
    return this.router.match(path, 'GET').route;
  }

  assetsUrl(index: number): string {
    return `/plugins/${this.pluginId}/assets${index === 0 ? '' : index}/`;
  }

  /**
   * Where the browser loads a registered UI module from: inside a served
   * asset folder when it lies in one (so its relative imports work), else
   * as a single file.
   */
  moduleUrl(kind: ModuleKind, index: number): string {
    const file = this.modules(kind)[index]!.file;
    for (const [i, dir] of this.assetDirs.entries()) {
      if (isInside(dir, file)) return this.assetsUrl(i) + encodePath(path.relative(dir, file));
    }
    return `/plugins/${this.pluginId}/ui/${kind}/${index}/${encodeURIComponent(path.basename(file))}`;
  }

  modules(kind: ModuleKind): readonly UiModule[] {
    return kind === 'admin' ? this.adminPages : this.aboutControls;
  }

  private checkModule(module: UiModule): UiModule {
    if (!module || typeof module !== 'object') throw new TypeError('a UI module is { file, element, title }');
    const file = this.checkPath(module.file, 'UI module file');
    if (typeof module.element !== 'string' || !CUSTOM_ELEMENT.test(module.element)) {
      throw new TypeError(`UI module element "${String(module.element)}" is not a custom element name`);
    }
    if (typeof module.title !== 'string' || module.title.trim() === '')
      throw new TypeError('a UI module needs a title');
    return Object.freeze({ file, element: module.element, title: module.title });
  }

  // Only the plugin's own files are served; the realpath is checked again when serving.
  private checkPath(p: string, what: string): string {
    if (typeof p !== 'string' || !path.isAbsolute(p))
      throw new TypeError(`${what}: "${String(p)}" is not an absolute path`);
    const abs = path.resolve(p);
    if (!isInside(this.pluginFolder, abs)) throw new TypeError(`${what}: "${abs}" is outside the plugin folder`);
    return abs;
  }
}
