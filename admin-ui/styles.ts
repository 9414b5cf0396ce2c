import { css } from 'lit';

/**
 * Shared look: inherits the host page's font and colours (light or dark),
 * draws only thin borders and tints, and keeps tap targets at least 44 px.
 */
export const baseStyles = css`
  :host {
    display: block;
    font: inherit;
    color: inherit;
    --webdav-border: #8886;
    --webdav-tint: #8881;
    --webdav-error: #c00;
    --webdav-ok: #070;
    --webdav-warn-bg: #fc03;
    --webdav-warn-border: #c90;
    --webdav-warn-text: #8a5300;
    --webdav-focus: #48f;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --webdav-error: #ff7b72;
      --webdav-ok: #7ee787;
      --webdav-warn-text: #e3b341;
    }
  }
  :host([hidden]) {
    display: none;
  }
  * {
    box-sizing: border-box;
  }
  a {
    color: inherit;
  }
  h2,
  h3 {
    line-height: 1.25;
  }
  button,
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    min-height: 2.5rem;
    padding: 0.35rem 0.9rem;
    cursor: pointer;
    border: 1px solid var(--webdav-border);
    border-radius: 0.35rem;
    background: var(--webdav-tint);
  }
  button:hover {
    background: #8883;
  }
  button[disabled] {
    cursor: default;
    opacity: 0.6;
  }
  button.danger {
    border-color: var(--webdav-error);
  }
  input[type='text'],
  input[type='search'],
  select {
    min-height: 2.5rem;
    padding: 0.4rem 0.5rem;
    border: 1px solid var(--webdav-border);
    border-radius: 0.35rem;
    background: transparent;
    max-width: 100%;
  }
  select option {
    color: initial;
  }
  :focus-visible {
    outline: 3px solid var(--webdav-focus);
    outline-offset: 2px;
  }
  code,
  .mono {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.92em;
  }
  .muted {
    opacity: 0.75;
  }
  .error {
    color: var(--webdav-error);
  }
  .ok {
    color: var(--webdav-ok);
  }
  .warn-text {
    color: var(--webdav-warn-text);
  }
  .warning {
    border: 1px solid var(--webdav-warn-border);
    background: var(--webdav-warn-bg);
    border-radius: 0.35rem;
    padding: 0.6rem 0.8rem;
  }
  .badge {
    display: inline-block;
    font-size: 0.8em;
    padding: 0 0.45em;
    border: 1px solid var(--webdav-border);
    border-radius: 1em;
    white-space: nowrap;
    vertical-align: 0.1em;
  }
  .badge.ok {
    border-color: var(--webdav-ok);
  }
  .badge.bad {
    border-color: var(--webdav-error);
    background: var(--webdav-error);
    color: Canvas;
    font-weight: 600;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;
