/**
 * A path or URL as the admin page shows it: in code type, on one line on a
 * desktop up to ONE_LINE characters (admin-styles.ts), else wrapping after a
 * slash rather than in the middle of a name.
 */
import { html } from 'lit';

/** Up to this length a path or URL stays on one line on a desktop; longer ones wrap. */
const ONE_LINE = 56;

export const pathCode = (text: string) =>
  html`<code class=${text.length <= ONE_LINE ? 'one-line' : ''}
    >${text.split(/(?<=\/)/).map((part, i) => (i === 0 ? part : html`<wbr />${part}`))}</code
  >`;
