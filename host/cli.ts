#!/usr/bin/env node
/**
 * `mediahost`: runs the server and administers its data folder. Every
 * command works while the server runs on the same folder (SQLite in WAL mode
 * with a busy timeout; the server polls settings and plugin switches and
 * reads users and groups on every request).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Knex } from 'knex';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openMigratedDatabase, toBool } from './db.js';
import { isDatabaseOutage } from '../plugin/host-api.js';
import { databaseFailureLine } from './database-outage.js';
import { chooseDatabase, DATABASE_ENV, DATABASE_SETTING, redactPassword, redactUrl } from './database-url.js';
import { UserError } from './errors.js';
import { checkGroupName, DbGroups } from './groups.js';
import { missingNodeFlags } from './node-flags.js';
import { formatProperty, parseProperties, readPropertiesText, writePropertiesFile } from './properties.js';
import { SETTINGS_FILE } from './settings.js';
import { UserAdmin, type Actor } from './user-admin.js';
import { DbUsers } from './users.js';
import type { LogFormat } from './log.js';
// The server's modules (koa, pino, ajv...) are imported only by the commands that need them:
// the CLI starts often, e.g. from scripts and tests.

const DEFAULT_DATA = './var';

const out = (line: string): void => void process.stdout.write(line + '\n');

function portArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return Number(value);
}

/** The database a command acts on: --database, MEDIAHOST_DATABASE_URL, db.url, or SQLite in the data folder. */
async function databaseUrlOf(opts: DataOption): Promise<string | undefined> {
  try {
    return chooseDatabase({ flag: opts.database, env: process.env, settings: await settingsOf(dataDirOf(opts)) }).url;
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

/** Opens the database for one command and always closes it; a database that cannot be reached is one line, not a stack. */
async function withDb<T>(opts: DataOption, fn: (db: Knex) => Promise<T>): Promise<T> {
  const dataDir = dataDirOf(opts);
  await mkdir(dataDir, { recursive: true });
  const url = await databaseUrlOf(opts);
  let db: Knex;
  try {
    db = await openMigratedDatabase(dataDir, url);
  } catch (err) {
    const line = databaseFailureLine(err, url);
    if (line) throw new UserError(line);
    throw new Error(redactPassword((err as Error).message, url), { cause: err });
  }
  try {
    return await fn(db);
  } catch (err) {
    const line = isDatabaseOutage(err) ? databaseFailureLine(err, url) : null;
    if (line) throw new UserError(line);
    throw err;
  } finally {
    await db.destroy();
  }
}

/** Runs a command's body; what the user got wrong is one line on stderr and exit code 1. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const e = err as Error;
      process.stderr.write(
        `mediahost: ${e instanceof UserError ? e.message : (process.env['LOG_LEVEL'] === 'debug' && e.stack) || e.message}\n`,
      );
      process.exitCode = 1;
    }
  };
}

/** Who the audit log names for a change made here: the operating-system account that ran the command. */
function cliActor(): Actor {
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    name = `uid ${process.getuid?.() ?? '?'}`;
  }
  return { name: process.env['SUDO_USER'] ? `${process.env['SUDO_USER']} (sudo)` : name, via: 'cli' };
}

interface DataOption {
  data: string;
  database?: string;
}

const dataDirOf = (opts: DataOption): string => path.resolve(opts.data);
const withData = (cmd: Command): Command =>
  cmd
    .option('--data <dir>', 'data folder', DEFAULT_DATA)
    .option(
      '--database <url>',
      `PostgreSQL to use, postgres://USER@HOST:PORT/DB (else ${DATABASE_ENV}, else ${DATABASE_SETTING} in settings.properties, else SQLite in the data folder)`,
    );

async function settingsOf(dataDir: string): Promise<Map<string, string>> {
  const text = await readPropertiesText(path.join(dataDir, SETTINGS_FILE));
  return text === null ? new Map() : parseProperties(text);
}

/** Plugin ids the CLI can switch: those the server has seen, and those of the configured plugin folders. */
async function knownPlugins(db: Knex, dataDir: string): Promise<Map<string, boolean | undefined>> {
  const { pluginFolders } = await import('./plugin-loader.js');
  const { readManifest } = await import('./manifest.js');
  const known = new Map<string, boolean | undefined>();
  for (const folder of pluginFolders((await settingsOf(dataDir)).get('host.plugins'), dataDir)) {
    const manifest = await readManifest(folder).catch(() => null);
    if (manifest) known.set(manifest.id, undefined);
  }
  for (const row of (await db('plugins').select('id', 'enabled')) as Array<{ id: string; enabled: unknown }>)
    known.set(row.id, toBool(row.enabled));
  return known;
}

async function runServer(opts: DataOption & { port?: number; host: string; logFormat?: LogFormat }): Promise<void> {
  const { createLogger } = await import('./log.js');
  const { startHost } = await import('./start.js');
  const log = createLogger(opts.logFormat);
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  let running: Awaited<ReturnType<typeof startHost>>;
  let databaseUrl: string | undefined;
  try {
    databaseUrl = await databaseUrlOf(opts);
    running = await startHost({ dataDir: dataDirOf(opts), port: opts.port, host: opts.host, log, databaseUrl });
  } catch (err) {
    // An unreachable database is the operator's to fix, not a bug: one line naming it, no stack, no password.
    const line = err instanceof UserError ? err.message : databaseFailureLine(err, databaseUrl);
    const message = line ?? redactPassword((err as Error).message, databaseUrl);
    if (line) log.error({ database: databaseUrl && redactUrl(databaseUrl) }, `cannot start: ${line}`);
    else {
      const logged = Object.assign(new Error(message), {
        stack: redactPassword(String((err as Error).stack), databaseUrl),
      });
      log.error({ err: logged }, 'cannot start');
    }
    process.stderr.write(`mediahost: cannot start: ${message}\n`);
    process.exit(1);
  }
  const missing = missingNodeFlags();
  if (missing.length > 0) {
    log.info(
      { missing },
      `node was started without ${missing.join(' ')}: uploads cost more CPU and memory (docs/deploy.md, "Node options")`,
    );
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(1); // a second Ctrl-C: stop waiting
    stopping = true;
    log.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

export function program(): Command {
  const program = new Command('mediahost')
    .description('reference media server for the webdav-shares plugin')
    .showHelpAfterError();

  withData(program.command('start').description('run the server'))
    .option('--port <n>', 'port (setting server.port, default 8080; 0 picks a free one)', portArg)
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .addOption(
      new Option(
        '--log-format <format>',
        'log as JSON lines or as readable lines (default: pretty on a terminal, else json)',
      ).choices(['json', 'pretty']),
    )
    .action(runServer);

  const user = program.command('user').description('manage users');
  withData(user.command('add <name>').description('create a user'))
    .requiredOption('--password <password>', 'the password')
    .option('--group <group...>', 'also add to these groups (they must exist)')
    .option('--admin', 'administrator of the host', false)
    .action(
      action(async (name: string, opts: DataOption & { password: string; group?: string[]; admin: boolean }) =>
        withDb(opts, async (db) => {
          const groups = new DbGroups(db);
          for (const g of opts.group ?? []) {
            if (!(await groups.exists(g)))
              throw new UserError(`there is no group "${g}" (create it with: mediahost group add ${g})`);
          }
          const { user: created } = await new UserAdmin(db).create(cliActor(), {
            name,
            password: opts.password,
            admin: opts.admin,
            groups: opts.group ?? [],
          });
          out(
            `created user ${created.name}${created.admin ? ' (admin)' : ''}${opts.group?.length ? ` in ${opts.group.join(', ')}` : ''}`,
          );
        }),
      ),
    );
  withData(user.command('passwd <name>').description("change a user's password (logs out their web sessions)"))
    .requiredOption('--password <password>', 'the new password')
    .action(
      action(async (name: string, opts: DataOption & { password: string }) =>
        withDb(opts, async (db) => {
          await new UserAdmin(db).setPassword(cliActor(), name, opts.password);
          out(`changed the password of ${name.normalize('NFC')}`);
        }),
      ),
    );
  withData(user.command('remove <name>').description('delete a user and their memberships')).action(
    action(async (name: string, opts: DataOption) =>
      withDb(opts, async (db) => {
        await new UserAdmin(db).remove(cliActor(), name);
        out(`removed user ${name.normalize('NFC')}`);
      }),
    ),
  );
  withData(user.command('list').description('list users')).action(
    action(async (opts: DataOption) =>
      withDb(opts, async (db) => {
        for (const u of await new DbUsers(db).listDetailed()) out(u.admin ? `${u.name} (admin)` : u.name);
      }),
    ),
  );

  const group = program.command('group').description('manage groups');
  withData(group.command('add <group>').description('create a group (no change when it exists)'))
    .option('--description <text>', 'what the group is for', '')
    .action(
      action(async (name: string, opts: DataOption & { description: string }) =>
        withDb(opts, async (db) => {
          await new DbGroups(db).ensure(checkGroupName(name), opts.description);
          out(`group ${name} exists`);
        }),
      ),
    );
  withData(group.command('add-member <group> <name>').description('add a user to a group')).action(
    action(async (groupName: string, name: string, opts: DataOption) =>
      withDb(opts, async (db) => {
        await new UserAdmin(db).addToGroup(cliActor(), groupName, name);
        out(`${name.normalize('NFC')} is a member of ${groupName}`);
      }),
    ),
  );
  withData(group.command('remove-member <group> <name>').description('remove a user from a group')).action(
    action(async (groupName: string, name: string, opts: DataOption) =>
      withDb(opts, async (db) => {
        // Fails with "no such user/group" when that is why.
        const wasMember = await new UserAdmin(db).removeFromGroup(cliActor(), groupName, name);
        if (!wasMember) throw new UserError(`${name.normalize('NFC')} is not a member of ${groupName}`);
        out(`${name.normalize('NFC')} is no longer a member of ${groupName}`);
      }),
    ),
  );
  withData(group.command('list').description('list groups with their members')).action(
    action(async (opts: DataOption) =>
      withDb(opts, async (db) => {
        for (const g of await new DbGroups(db).list())
          out(g.members.length ? `${g.name}: ${g.members.join(', ')}` : `${g.name}:`);
      }),
    ),
  );

  const plugin = program
    .command('plugin')
    .description('switch plugins on and off (a running server follows within seconds)');
  for (const verb of ['enable', 'disable'] as const) {
    withData(plugin.command(`${verb} <id>`).description(`${verb} a plugin`)).action(
      action(async (id: string, opts: DataOption) =>
        withDb(opts, async (db) => {
          const known = await knownPlugins(db, dataDirOf(opts));
          if (!known.has(id))
            throw new UserError(`there is no plugin "${id}" (plugins: ${[...known.keys()].join(', ') || 'none'})`);
          await db('plugins')
            .insert({ id, enabled: verb === 'enable' })
            .onConflict('id')
            .merge();
          out(`plugin ${id} ${verb}d`);
        }),
      ),
    );
  }
  withData(plugin.command('list').description('list plugins')).action(
    action(async (opts: DataOption) =>
      withDb(opts, async (db) => {
        for (const [id, enabled] of await knownPlugins(db, dataDirOf(opts)))
          out(`${id}: ${enabled === false ? 'disabled' : 'enabled'}`);
      }),
    ),
  );

  const settings = program
    .command('settings')
    .description('read and change settings.properties (a running server follows within a second)');
  withData(settings.command('get <key>').description('print a value')).action(
    action(async (key: string, opts: DataOption) => {
      const value = (await settingsOf(dataDirOf(opts))).get(key);
      if (value === undefined) throw new UserError(`setting ${key} is not set`);
      out(value);
    }),
  );
  withData(
    settings.command('set <key> <value>').description('set a value (comments and order of the file are kept)'),
  ).action(
    action(async (key: string, value: string, opts: DataOption) => {
      const dataDir = dataDirOf(opts);
      await mkdir(dataDir, { recursive: true });
      const values = await settingsOf(dataDir);
      values.set(key, value);
      await writePropertiesFile(path.join(dataDir, SETTINGS_FILE), values);
    }),
  );
  withData(settings.command('unset <key>').description('remove a key')).action(
    action(async (key: string, opts: DataOption) => {
      const dataDir = dataDirOf(opts);
      const values = await settingsOf(dataDir);
      if (!values.delete(key)) throw new UserError(`setting ${key} is not set`);
      await writePropertiesFile(path.join(dataDir, SETTINGS_FILE), values);
    }),
  );
  withData(settings.command('list').description('print every key=value')).action(
    action(async (opts: DataOption) => {
      const values = await settingsOf(dataDirOf(opts));
      // Escaped as in the file, so that a value with a line break stays on one line.
      for (const key of [...values.keys()].sort()) out(formatProperty(key, values.get(key)!));
    }),
  );
  return program;
}

await program().parseAsync(process.argv);
