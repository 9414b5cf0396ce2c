/**
 * The markup of the user pages (/admin/users and /admin/users/NAME): plain
 * forms that work without JavaScript, each problem next to its field and in
 * a summary at the top, confirmations in a visible status box that screen
 * readers announce, and a generated password shown once in a box that one
 * click selects. Every value goes through esc().
 */
import { describeChange, VIA_TEXT, type AuditEntry } from './admin-audit.js';
import { esc } from './html.js';
import type { GroupSummary, UserSummary } from './user-admin.js';
import { NAME_HINT, PASSWORD_MAX_BYTES } from './user-rules.js';

/** Where a problem is shown on a user page: a form field, or the section of an action. */
export type Spot = 'name' | 'password' | 'groups' | 'admin' | 'delete';
export type Problems = Partial<Record<Spot, string>>;

export interface Generated {
  readonly user: string;
  readonly password: string;
}

export const STYLE = `<style>
[hidden] { display: none !important; }
.problems { border-left: .3rem solid #c00; background: #c002; padding: .6rem .9rem; margin: 1rem 0; }
.problems h2 { font-size: 1rem; margin: 0; }
.problems ul { margin: .3rem 0 0; padding-left: 1.2rem; }
.secret { border: 2px solid #2a7; border-radius: .3rem; padding: .8rem 1rem; margin: 1rem 0; }
.secret p { margin: 0 0 .4rem; }
.secret code.password { display: inline-block; font: 1.35rem/1.4 ui-monospace, monospace; letter-spacing: .04em;
  user-select: all; -webkit-user-select: all; padding: .2rem .5rem; border: 1px dashed #8888; word-break: break-all; }
.field-error { color: #c00; font-weight: bold; margin: .25rem 0 0; }
[aria-invalid=true] { border: 2px solid #c00; }
.hint { font-size: .9rem; opacity: .75; margin: .15rem 0 0; }
fieldset { border: 1px solid #8886; margin: 1rem 0 0; padding: .4rem .9rem .7rem; max-width: 34rem; }
fieldset.invalid { border: 2px solid #c00; }
label.check { display: flex; gap: .5rem; align-items: baseline; margin-top: .4rem; }
label.check input { margin: 0; flex: none; }
section { margin-top: 2rem; }
h2 { margin-bottom: .3rem; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
.actions form { margin: 0; }
button.danger { color: #fff; background: #b00; border: 1px solid #800; border-radius: .2rem; }
a.button { display: inline-block; padding: .4rem .9rem; margin-top: .75rem; border: 1px solid #8888; border-radius: .2rem; text-decoration: none; }
ol.changes { list-style: none; padding: 0; margin: 0; }
ol.changes li { padding: .4rem 0; border-bottom: 1px solid #8884; }
ol.changes time { display: inline-block; min-width: 11.5rem; opacity: .75; font-variant-numeric: tabular-nums; }
td.groups { overflow-wrap: break-word; }
@media (max-width: 36rem) { .secret code.password { font-size: 1.1rem; letter-spacing: 0; } }
</style>`;

export const userUrl = (name: string): string => `/admin/users/${encodeURIComponent(name)}`;

/** "2025-06-01 14:03 UTC": the same for every admin whatever their time zone, like the log. */
const when = (at: Date): string => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export function notice(text: string | undefined): string {
  return text ? `<p class="notice" role="status">${esc(text)}</p>` : '<p role="status" hidden></p>';
}

/** The generated password, shown this once: no log, no cache (sendHtml says no-store), one click selects it. */
export function secretBox(generated: Generated | undefined): string {
  if (!generated) return '';
  return `<div class="secret" role="region" aria-labelledby="secret-title">
<p id="secret-title"><strong>New password for ${esc(generated.user)}</strong>: copy it now and hand it over. It is shown only this once and cannot be looked up later.</p>
<code id="generated-password" class="password">${esc(generated.password)}</code> <span class="hint">one click selects it</span>
</div>`;
}

/** Every problem once more at the top, each linking to its field, announced when the page loads. */
export function problemSummary(problems: Problems, anchors: Partial<Record<Spot, string>>): string {
  const entries = Object.entries(problems) as Array<[Spot, string]>;
  if (entries.length === 0) return '';
  const items = entries
    .map(([spot, text]) => `<li><a href="#${esc(anchors[spot] ?? spot)}">${esc(text)}</a></li>`)
    .join('');
  return `<div class="problems" role="alert"><h2>${entries.length === 1 ? 'One problem' : `${entries.length} problems`}:</h2><ul>${items}</ul></div>`;
}

/** A field's error paragraph and the attributes that tie the field to it and to its hint. */
function fieldState(id: string, error: string | undefined, hint: boolean): { attrs: string; after: string } {
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return {
    attrs: `${error ? ' aria-invalid="true" autofocus' : ''}${describedBy ? ` aria-describedby="${describedBy}"` : ''}`,
    after: error ? `<p class="field-error" id="${id}-error">${esc(error)}</p>` : '',
  };
}

/** What a group is for: its description, or for a share's group without one, which share. */
function purpose(group: GroupSummary): string {
  if (group.description) return group.description;
  return group.name.startsWith('WebDAV.') ? `the WebDAV share ${group.name.slice('WebDAV.'.length)}` : '';
}

/** Checkboxes of every group; `shown` lets the handler leave alone groups created after the page was drawn. */
export function groupBoxes(
  id: string,
  legend: string,
  groups: readonly GroupSummary[],
  chosen: readonly string[],
  error?: string,
): string {
  if (groups.length === 0)
    return '<p class="muted">There are no groups yet. Each WebDAV share has one, <code>WebDAV.&lt;share&gt;</code>.</p>';
  const boxes = groups
    .map(
      (
        g,
        i,
      ) => `<label class="check"><input type="checkbox" name="groups" value="${esc(g.name)}" id="${id}-${i}"${chosen.includes(g.name) ? ' checked' : ''}${error && i === 0 ? ' autofocus' : ''}>
<span>${esc(g.name)}${purpose(g) ? ` <span class="muted">— ${esc(purpose(g))}</span>` : ''}</span></label>
<input type="hidden" name="shown" value="${esc(g.name)}">`,
    )
    .join('\n');
  const describedBy = [error ? `${id}-error` : '', `${id}-hint`].filter(Boolean).join(' ');
  return `<fieldset id="${id}" aria-describedby="${describedBy}"${error ? ' class="invalid"' : ''}>
<legend>${esc(legend)}</legend>
<p class="hint" id="${id}-hint">The members of a share's group, <code>WebDAV.&lt;share&gt;</code>, may use that share.</p>
${error ? `<p class="field-error" id="${id}-error">${esc(error)}</p>` : ''}
${boxes}
</fieldset>`;
}

const csrfField = (token: string): string => `<input type="hidden" name="_csrf" value="${esc(token)}">`;

export interface CreateForm {
  readonly name: string;
  readonly admin: boolean;
  readonly groups: readonly string[];
}

export function createForm(
  csrf: string,
  groups: readonly GroupSummary[],
  values: CreateForm,
  problems: Problems,
): string {
  const name = fieldState('new-name', problems.name, true);
  const password = fieldState('new-password', problems.password, true);
  return `<form method="post" action="/admin/users" novalidate>
${csrfField(csrf)}
<label for="new-name">User name</label>
<input type="text" id="new-name" name="name" value="${esc(values.name)}" autocomplete="off" autocapitalize="none" spellcheck="false" required${name.attrs}>
<p class="hint" id="new-name-hint">${esc(NAME_HINT)}. It is also the WebDAV login.</p>
${name.after}
<label for="new-password">Password</label>
<input type="password" id="new-password" name="password" autocomplete="new-password"${password.attrs}>
<p class="hint" id="new-password-hint">Leave it empty to have one generated, shown once after creating. At most ${PASSWORD_MAX_BYTES} bytes.</p>
${password.after}
<label class="check"><input type="checkbox" name="admin" value="true"${values.admin ? ' checked' : ''}> <span>Administrator (may use these admin pages)</span></label>
${groupBoxes('new-groups', 'Groups', groups, values.groups, problems.groups)}
<button type="submit">Create user</button>
</form>`;
}

export function usersTable(users: readonly UserSummary[], me: string): string {
  const rows = users
    .map(
      (u) => `<tr data-user="${esc(u.name)}">
<td><a href="${esc(userUrl(u.name))}">${esc(u.name)}</a>${u.name === me ? ' <span class="muted">(you)</span>' : ''}</td>
<td>${u.admin ? 'yes' : '<span class="muted">no</span>'}</td>
<td class="groups">${u.groups.length ? u.groups.map(esc).join(', ') : '<span class="muted">none</span>'}</td>
</tr>`,
    )
    .join('\n');
  return `<table><thead><tr><th scope="col">User</th><th scope="col">Admin</th><th scope="col">Groups</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

export function changeList(changes: readonly AuditEntry[], empty: string): string {
  if (changes.length === 0) return `<p class="muted">${esc(empty)}</p>`;
  const items = changes
    .map(
      (e) =>
        `<li><time datetime="${esc(e.at.toISOString())}">${esc(when(e.at))}</time> <strong>${esc(e.actor)}</strong> <span class="muted">(${esc(VIA_TEXT[e.via] ?? e.via)})</span> ${esc(describeChange(e))}</li>`,
    )
    .join('\n');
  return `<ol class="changes">${items}</ol>`;
}

export interface UserView {
  readonly csrf: string;
  readonly me: string;
  readonly user: UserSummary;
  readonly groups: readonly GroupSummary[];
  readonly changes: readonly AuditEntry[];
  readonly problems: Problems;
  /** The groups to show ticked: the user's, or what the admin just submitted when it was refused. */
  readonly chosen?: readonly string[];
}

export function userSections(v: UserView): string {
  const { user, csrf, problems } = v;
  const self = user.name === v.me;
  const action = (what: string): string => esc(`${userUrl(user.name)}/${what}`);
  const password = fieldState('set-password', problems.password, true);
  const adminSection = self
    ? '<p>You are an administrator. Only another administrator can take these rights away from you.</p>'
    : `<p>${esc(user.name)} ${user.admin ? 'is an administrator: they may use these admin pages.' : 'is not an administrator.'}</p>
<form method="post" action="${action('admin')}">${csrfField(csrf)}
<input type="hidden" name="admin" value="${user.admin ? 'false' : 'true'}">
<button type="submit"${problems.admin ? ' autofocus aria-describedby="admin-error"' : ''}>${user.admin ? `Take administrator rights from ${esc(user.name)}` : `Make ${esc(user.name)} an administrator`}</button>
</form>`;
  return `<section aria-labelledby="groups-title">
<h2 id="groups-title">Groups and shares</h2>
<form method="post" action="${action('groups')}">${csrfField(csrf)}
${groupBoxes('user-groups', `Groups of ${user.name}`, v.groups, v.chosen ?? user.groups, problems.groups)}
<button type="submit">Save groups</button>
</form>
</section>
<section aria-labelledby="password-title">
<h2 id="password-title">Password</h2>
<p>A new password ends ${self ? 'your other' : `${esc(user.name)}’s`} web sessions; WebDAV clients need the new one within seconds.</p>
<form method="post" action="${action('password')}" novalidate>${csrfField(csrf)}
<input type="text" name="username" value="${esc(user.name)}" autocomplete="username" hidden>
<label for="set-password">New password</label>
<input type="password" id="set-password" name="password" autocomplete="new-password" required${password.attrs}>
<p class="hint" id="set-password-hint">Not empty, at most ${PASSWORD_MAX_BYTES} bytes.</p>
${password.after}
<button type="submit">Set password</button>
</form>
<form method="post" action="${action('password-reset')}">${csrfField(csrf)}
<button type="submit">Generate a new password</button> <span class="hint">shown once on the next page</span>
</form>
</section>
<section aria-labelledby="admin-title">
<h2 id="admin-title">Administrator</h2>
${adminSection}
${problems.admin ? `<p class="field-error" id="admin-error">${esc(problems.admin)}</p>` : ''}
</section>
<section aria-labelledby="delete-title">
<h2 id="delete-title">Delete</h2>
${
  self
    ? '<p>This is your own account: you cannot delete it. Another administrator can.</p>'
    : `<p>Deleting ${esc(user.name)} ends their web sessions and WebDAV access. Their files stay.</p>
<a class="button" id="delete" href="${action('delete')}">Delete ${esc(user.name)}…</a>`
}
${problems.delete ? `<p class="field-error" id="delete-error" role="alert">${esc(problems.delete)}</p>` : ''}
</section>
<section aria-labelledby="changes-title">
<h2 id="changes-title">Changes to ${esc(user.name)}</h2>
${changeList(v.changes, 'No changes recorded yet.')}
</section>`;
}

export function deleteConfirmation(csrf: string, user: UserSummary): string {
  const groups = user.groups.length ? ` and leaves ${user.groups.map(esc).join(', ')}` : '';
  return `<p>Delete the user <strong>${esc(user.name)}</strong>? They can no longer log in to these pages or use WebDAV shares; this ends their web sessions${groups}. Their files stay. This cannot be undone.</p>
<div class="actions">
<form method="post" action="${esc(userUrl(user.name))}/delete">${csrfField(csrf)}
<button type="submit" class="danger">Delete ${esc(user.name)}</button>
</form>
<a class="button" href="${esc(userUrl(user.name))}">Cancel</a>
</div>`;
}
