/**
 * Copies text to the clipboard. navigator.clipboard exists only in a secure
 * context (https, or localhost), and the usual home server is plain
 * http://192.168.x.x: there the text is put in a hidden text area, selected,
 * and copied with document.execCommand('copy').
 */
export async function copyText(text: string, refocus?: HTMLElement): Promise<boolean> {
  if (window.isSecureContext && navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // denied (e.g. no permission in an embedded view): try the old way
    }
  }
  return copyBySelection(text, refocus);
}

export function copyBySelection(text: string, refocus?: HTMLElement): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.setAttribute('aria-hidden', 'true');
  area.tabIndex = -1;
  // On screen (selecting needs it) but invisible, and without scrolling the page (iOS zooms into small fonts).
  Object.assign(area.style, {
    position: 'fixed',
    top: '0',
    left: '0',
    width: '2em',
    height: '2em',
    padding: '0',
    border: 'none',
    outline: 'none',
    boxShadow: 'none',
    background: 'transparent',
    opacity: '0',
    fontSize: '16px',
  });
  document.body.append(area);
  let copied: boolean;
  try {
    area.focus({ preventScroll: true });
    area.select();
    area.setSelectionRange(0, text.length);
    copied = document.execCommand('copy');
  } catch {
    copied = false;
  } finally {
    area.remove();
    refocus?.focus({ preventScroll: true });
  }
  return copied;
}
