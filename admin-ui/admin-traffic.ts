/**
 * <webdav-traffic>: the "Traffic" section of the admin page. Requests and
 * bytes up and down per day for the last 30 days, from the audit log
 * (GET admin/traffic), filterable by user and by share; two bar charts drawn
 * here as SVG, and the same numbers as a table for anyone who does not read
 * charts. Self-contained: it loads its own data and shows its own errors.
 */
import { LitElement, css, html, nothing } from 'lit';
import { adminStyles } from './admin-styles.js';
import { call } from './api.js';
import { formatBytes } from './format.js';
import { baseStyles } from './styles.js';
import { barChart, dayOf, type ChartSpec, type Series } from './traffic-chart.js';

interface TrafficDay {
  date: string;
  requests: number;
  bytesIn: number;
  bytesOut: number;
}

interface TrafficAnswer {
  enabled: boolean;
  days: number;
  perDay: TrafficDay[];
  totals: { requests: number; bytesIn: number; bytesOut: number };
  users: string[];
  shares: string[];
}

const DAYS = 30;
const count = (n: number) => n.toLocaleString();
const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
/** One chart's <svg>, named by its figcaption (`traffic-<name>`) and described by the summary. */
const chartSvg = (name: string, spec: ChartSpec) =>
  html`<svg
    role="img"
    aria-labelledby="traffic-${name}"
    aria-describedby="traffic-summary"
    width=${spec.width}
    height=${spec.height}
    viewBox="0 0 ${spec.width} ${spec.height}"
    data-chart=${name}
  >
    ${barChart(spec)}
  </svg>`;
const bytesTick = (n: number) => (n === 0 ? '0' : formatBytes(n).replace(/\.0 /, ' '));
const longDate = (date: string) =>
  dayOf(date).toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric' });

export class WebdavTraffic extends LitElement {
  static override properties = {
    data: { state: true },
    user: { state: true },
    share: { state: true },
    failure: { state: true },
    loading: { state: true },
    width: { state: true },
  };

  static override styles = [
    baseStyles,
    adminStyles,
    css`
      .filters {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: flex-end;
      }
      .filters label {
        display: block;
        font-weight: 600;
      }
      .totals {
        margin: 0.75rem 0 0.25rem;
      }
      .charts {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr));
        gap: 0.5rem 2rem;
      }
      figure {
        margin: 0.5rem 0 0;
        min-width: 0;
      }
      figcaption {
        font-weight: 600;
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 0.1rem 1rem;
        margin: 0.1rem 0 0.25rem;
      }
      .key {
        display: inline-flex;
        align-items: center;
        gap: 0.3rem;
      }
      .swatch {
        width: 0.8rem;
        height: 0.8rem;
        border-radius: 0.15rem;
        display: inline-block;
      }
      :host {
        --requests: #2f6fb3;
        --up: #d9730d;
        --down: #2f6fb3;
      }
      @media (prefers-color-scheme: dark) {
        :host {
          --requests: #6cb0f0;
          --up: #f3a35c;
          --down: #6cb0f0;
        }
      }
      svg {
        display: block;
        max-width: 100%;
        height: auto;
        font-size: 11px;
        overflow: visible;
      }
      svg text {
        fill: currentColor;
      }
      svg line.grid {
        stroke: currentColor;
        stroke-opacity: 0.15;
      }
      svg line.base {
        stroke: currentColor;
        stroke-opacity: 0.6;
      }
      svg rect.hit {
        fill: transparent;
      }
      svg g.day:hover rect.hit {
        fill: #8882;
      }
      details {
        margin-top: 0.75rem;
      }
      summary {
        cursor: pointer;
        min-height: 2.5rem;
        display: flex;
        align-items: center;
        gap: 0.4rem;
      }
      summary::-webkit-details-marker {
        display: none;
      }
      summary::before {
        content: '▸';
      }
      details[open] > summary::before {
        transform: rotate(90deg);
      }
      th.num {
        text-align: right;
      }
      .table-wrap {
        max-height: 24rem;
        overflow: auto;
      }
    `,
  ];

  declare data: TrafficAnswer | null;
  declare user: string;
  declare share: string;
  declare failure: string;
  declare loading: boolean;
  /** The width the charts have, in CSS pixels. */
  declare width: number;
  private readonly resize = new ResizeObserver((entries) => {
    const measured = Math.floor(entries[0]?.contentRect.width ?? 0);
    if (measured > 0 && measured !== this.width) this.width = measured;
  });

  constructor() {
    super();
    this.data = null;
    this.user = '';
    this.share = '';
    this.failure = '';
    this.loading = false;
    this.width = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resize.disconnect();
  }

  protected override updated(): void {
    const figure = this.renderRoot.querySelector('figure');
    if (figure) this.resize.observe(figure);
  }

  async load(): Promise<void> {
    this.loading = true;
    const params = new URLSearchParams({ days: String(DAYS), utcOffset: String(-new Date().getTimezoneOffset()) });
    if (this.user) params.set('user', this.user);
    if (this.share) params.set('share', this.share);
    try {
      this.data = await call<TrafficAnswer>(this, 'GET', `/admin/traffic?${params.toString()}`);
      this.failure = '';
    } catch (error) {
      this.failure = (error as Error).message;
    } finally {
      this.loading = false;
    }
  }

  private choose(which: 'user' | 'share', event: Event): void {
    this[which] = (event.target as HTMLSelectElement).value;
    void this.load();
  }

  override render() {
    const d = this.data;
    return html`<section aria-labelledby="traffic-title" aria-busy=${this.loading ? 'true' : 'false'}>
      <h2 id="traffic-title">Traffic, last ${DAYS} days</h2>
      <form class="filters" @submit=${(e: Event) => e.preventDefault()}>
        <div>
          <label for="traffic-user">User</label>
          <select id="traffic-user" @change=${(e: Event) => this.choose('user', e)}>
            <option value="" ?selected=${this.user === ''}>Everyone</option>
            ${this.choices(d?.users, this.user)}
          </select>
        </div>
        <div>
          <label for="traffic-share">Share</label>
          <select id="traffic-share" @change=${(e: Event) => this.choose('share', e)}>
            <option value="" ?selected=${this.share === ''}>All shares</option>
            ${this.choices(d?.shares, this.share)}
          </select>
        </div>
        <button type="button" @click=${() => void this.load()} ?disabled=${this.loading}>Refresh</button>
      </form>
      ${this.failure ? html`<p class="error" role="alert">The traffic cannot be shown: ${this.failure}</p>` : nothing}
      ${d ? this.renderTraffic(d) : this.failure ? nothing : html`<p class="muted">Loading…</p>`}
    </section>`;
  }

  /** The names to pick from; the one picked stays even when the period has none of its requests. */
  private choices(names: readonly string[] | undefined, picked: string) {
    const all = picked && !(names ?? []).includes(picked) ? [picked, ...(names ?? [])] : (names ?? []);
    return all.map((name) => html`<option .value=${name} ?selected=${name === picked}>${name}</option>`);
  }

  private renderTraffic(d: TrafficAnswer) {
    const who = [this.user ? `by ${this.user}` : '', this.share ? `to ${this.share}` : ''].filter(Boolean).join(' ');
    const dates = d.perDay.map((day) => day.date);
    const width = this.width || 600;
    const height = width < 480 ? 170 : 200;
    const busiest = d.perDay.reduce((a, b) => (b.requests > a.requests ? b : a), d.perDay[0]!);
    const requests: Series = { name: 'requests', color: 'var(--requests)', values: d.perDay.map((x) => x.requests) };
    const up: Series = { name: 'up', color: 'var(--up)', values: d.perDay.map((x) => x.bytesIn) };
    const down: Series = { name: 'down', color: 'var(--down)', values: d.perDay.map((x) => x.bytesOut) };
    const summary =
      d.totals.requests === 0
        ? `No requests${who ? ` ${who}` : ''} in these ${d.days} days.`
        : `${count(d.totals.requests)} ${plural(d.totals.requests, 'request')}${who ? ` ${who}` : ''}, ${formatBytes(d.totals.bytesIn)} up and ${formatBytes(d.totals.bytesOut)} down in ${d.days} days.`;
    return html`
      <p class="totals" aria-live="polite">
        ${summary}
        ${d.enabled ? nothing : html`<span class="muted">Recording is off (user.log.webdav=false): this is what was recorded before.</span>`}
      </p>
      <div class="charts">
        <figure>
          <figcaption id="traffic-requests">Requests per day</figcaption>
          ${chartSvg('requests', { dates, series: [requests], format: count, tick: count, base: 1, width, height })}
        </figure>
        <figure>
          <figcaption id="traffic-bytes">Bytes per day</figcaption>
          <div class="legend">
            <span class="key"><span class="swatch" style="background: var(--up)"></span>up (uploads)</span>
            <span class="key"><span class="swatch" style="background: var(--down)"></span>down (downloads)</span>
          </div>
          ${chartSvg('bytes', { dates, series: [up, down], format: formatBytes, tick: bytesTick, base: 1000, width, height })}
        </figure>
      </div>
      <p id="traffic-summary" class="sr-only">
        ${summary}
        ${busiest && busiest.requests > 0 ? `The busiest day was ${longDate(busiest.date)} with ${count(busiest.requests)} ${plural(busiest.requests, 'request')}.` : ''}
        The table below lists every day.
      </p>
      <details>
        <summary>The numbers per day</summary>
        <div class="table-wrap">
          <table class="traffic-table">
            <caption class="sr-only">
              Requests and bytes per day${who ? ` ${who}` : ''}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" class="num">Requests</th>
                <th scope="col" class="num">Up</th>
                <th scope="col" class="num">Down</th>
              </tr>
            </thead>
            <tbody>
              ${[...d.perDay].reverse().map(
                (day) =>
                  html`<tr>
                    <th scope="row" style="font-weight: normal">${longDate(day.date)}</th>
                    <td class="num">${count(day.requests)}</td>
                    <td class="num">${formatBytes(day.bytesIn)}</td>
                    <td class="num">${formatBytes(day.bytesOut)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </details>
    `;
  }
}

if (!customElements.get('webdav-traffic')) customElements.define('webdav-traffic', WebdavTraffic);
