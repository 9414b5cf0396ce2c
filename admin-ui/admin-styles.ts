import { css } from 'lit';

/**
 * The admin page's own look, on top of baseStyles: the tables, the share
 * form, the audit log's search and pager. The page takes the width the host
 * gives it (a desktop's whole width: folders and URLs fit on a line). On a
 * phone every share becomes a card whose cells are labelled lines, and each
 * audit entry two short lines.
 */
export const adminStyles = css`
  section {
    margin: 0 0 2rem;
  }
  h2 {
    font-size: 1.3rem;
    margin: 1.5rem 0 0.5rem;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: 0.45rem 0.5rem;
    border-bottom: 1px solid var(--webdav-border);
  }
  th {
    font-weight: 600;
  }
  td.num {
    text-align: right;
    white-space: nowrap;
  }
  .mount {
    font-weight: 700;
    font-size: 1.05em;
  }
  .folder,
  .url {
    overflow-wrap: break-word;
  }
  .space {
    margin-top: 0.4rem;
  }
  /* A photo-aware share: its date view, index and inbox under the share's own URL. */
  .photos {
    margin-top: 0.5rem;
    padding-top: 0.4rem;
    border-top: 1px dashed var(--webdav-border);
    max-width: 30rem;
  }
  .photos > div {
    margin-bottom: 0.2rem;
  }
  .view-url {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 0.5rem;
    align-items: center;
    overflow-wrap: break-word;
  }
  button.small {
    min-height: 2.25rem;
    padding: 0.1rem 0.6rem;
  }
  button.scan {
    margin-top: 0.25rem;
  }
  .view-members {
    margin-top: 0.75rem;
    padding-top: 0.4rem;
    border-top: 1px dashed var(--webdav-border);
  }
  .optional {
    font-weight: normal;
  }
  ul.plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  ul.members li {
    display: flex;
    gap: 0.4rem;
    align-items: center;
    justify-content: space-between;
    padding: 0.1rem 0;
  }
  ul.members button {
    min-height: 2.25rem;
    padding: 0.1rem 0.6rem;
  }
  .add-member {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
    margin-top: 0.35rem;
    align-items: center;
  }
  /* The list keeps the width of its longest entry ("No one left to add"); the button wraps below if need be. */
  .add-member select {
    flex: 1 1 auto;
  }
  .section-error {
    margin: 0.25rem 0 0.75rem;
    font-weight: 600;
  }
  .row-error {
    max-width: 16rem;
  }
  .label {
    display: block;
    font-weight: 600;
  }
  .fixed-value {
    margin: 0.2rem 0 0;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.35rem;
  }
  .problems {
    margin: 0.35rem 0 0;
    padding-left: 1.1rem;
    /* Long messages wrap rather than widen the first column at the cost of the folder's. */
    max-width: 24rem;
  }
  /* Chromium breaks at a <wbr> even under nowrap: hidden, it is no break opportunity. */
  @media (min-width: 64rem) {
    code.one-line {
      white-space: nowrap;
    }
    code.one-line wbr {
      display: none;
    }
  }
  form.share-form {
    border: 1px solid var(--webdav-border);
    border-radius: 0.5rem;
    padding: 0.5rem 1rem 1rem;
    max-width: 40rem;
  }
  .field {
    margin-top: 0.75rem;
  }
  .field label {
    display: block;
    font-weight: 600;
  }
  .field input[type='text'] {
    width: 100%;
  }
  .hint {
    margin: 0.15rem 0 0;
    font-size: 0.9em;
  }
  .field-error {
    margin: 0.2rem 0 0;
    font-weight: 600;
  }
  .check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
  }
  .check input {
    width: 1.25rem;
    height: 1.25rem;
  }
  .form-buttons {
    display: flex;
    gap: 0.5rem;
    margin-top: 1rem;
    flex-wrap: wrap;
  }
  .audit-search {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: flex-end;
    margin-bottom: 0.5rem;
  }
  .audit-search input {
    flex: 1 1 14rem;
  }
  .audit td {
    font-size: 0.92em;
  }
  .pager {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin-top: 0.5rem;
  }
  dl.state {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.2rem 1rem;
    margin: 0;
  }
  dl.state dt {
    font-weight: 600;
  }
  dl.state dd {
    margin: 0;
  }
  /* A phone: each table row becomes a card, each cell a labelled line. */
  @media (max-width: 44rem) {
    table.cards,
    table.cards tbody,
    table.cards tr,
    table.cards td {
      display: block;
      width: 100%;
    }
    table.cards thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    table.cards tr {
      border: 1px solid var(--webdav-border);
      border-radius: 0.5rem;
      margin: 0 0 0.9rem;
      padding: 0.25rem 0.6rem;
    }
    table.cards td {
      border: none;
      padding: 0.3rem 0;
    }
    table.cards td.num {
      text-align: left;
    }
    table.cards td[data-label]::before {
      content: attr(data-label);
      display: block;
      font-size: 0.8em;
      font-weight: 600;
      opacity: 0.75;
    }
    dl.state {
      grid-template-columns: 1fr;
    }
    dl.state dd {
      margin-bottom: 0.4rem;
    }
    /* The audit log: each entry three short lines (time, user, address / the request / status, bytes), in reading order. */
    table.audit tr {
      display: flex;
      flex-wrap: wrap;
      gap: 0 0.75rem;
      border: none;
      border-bottom: 1px solid var(--webdav-border);
      border-radius: 0;
      margin: 0;
      padding: 0.4rem 0;
    }
    table.audit td {
      width: auto;
      padding: 0;
      font-size: 0.88em;
    }
    table.audit td[data-label]::before {
      content: none;
    }
    table.audit td.request {
      flex-basis: 100%;
      font-size: 0.95em;
    }
    table.audit td.time,
    table.audit td.user,
    table.audit td.address {
      opacity: 0.8;
    }
    table.audit td.status {
      font-weight: 600;
    }
    table.audit td.bytes::before {
      content: 'in / out ';
      display: inline;
      font-weight: normal;
      opacity: 0.75;
    }
  }
`;
