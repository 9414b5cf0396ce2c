/**
 * A bar chart of values per day, drawn as SVG at the width it is given (so
 * that its text keeps its size on a phone): a value axis with round steps in
 * readable units, a date axis labelled as often as there is room, one bar
 * (or a group of bars) per day, and a tooltip per day. The chart is a picture
 * (role="img") with a summary for screen readers; the numbers themselves
 * are in the table beside it.
 */
import { svg, type SVGTemplateResult } from 'lit';

export interface Series {
  readonly name: string;
  /** A CSS colour; a custom property lets the page switch it for dark mode. */
  readonly color: string;
  readonly values: readonly number[];
}

export interface ChartSpec {
  /** YYYY-MM-DD, one per bar group, oldest first. */
  readonly dates: readonly string[];
  readonly series: readonly Series[];
  /** Tooltips: '1.5 MB', '120'. */
  readonly format: (value: number) => string;
  /** Axis labels, where round values read better short: '1 GB', '0'. */
  readonly tick: (value: number) => string;
  /** Round steps in this base's powers (1000 for bytes, so that an axis reads 0, 500 kB, 1 MB). */
  readonly base: 1 | 1000;
  readonly width: number;
  readonly height: number;
}

const MARGIN = { top: 10, right: 18, bottom: 24 };
/** At least this much room for the value labels, so that charts side by side or stacked line up. */
const MIN_LEFT = 58;
/** Room for a date label ("Nov 28") below the axis. */
const DATE_LABEL_PX = 52;

/** A local date from `YYYY-MM-DD` (not `new Date(text)`, which reads it as UTC midnight). */
export function dayOf(date: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(year!, month! - 1, day!);
}

export function shortDate(date: string): string {
  return dayOf(date).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
}

/** The axis' top and step: 1, 2 or 5 times a power of ten of `base`'s unit, about four steps up to `max`. */
export function axisSteps(max: number, base: 1 | 1000): { top: number; step: number } {
  if (!(max > 0)) return { top: 1, step: 1 };
  const unit = base === 1000 ? 1000 ** Math.max(0, Math.floor(Math.log(max) / Math.log(1000) + 1e-9)) : 1;
  const raw = max / unit / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const factor = [1, 2, 5, 10].find((f) => f * power >= raw) ?? 10;
  // Counts and bytes are whole numbers: no step below 1.
  const step = Math.max(1, factor * power * unit);
  return { top: Math.ceil(max / step) * step, step };
}

export function barChart(spec: ChartSpec): SVGTemplateResult {
  const { dates, series, format, tick, width, height } = spec;
  const max = Math.max(0, ...series.flatMap((s) => s.values));
  const { top, step } = axisSteps(max, spec.base);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  const left = Math.max(MIN_LEFT, Math.max(...ticks.map((t) => tick(t).length)) * 7 + 10);
  const plotWidth = Math.max(10, width - left - MARGIN.right);
  const plotHeight = Math.max(10, height - MARGIN.top - MARGIN.bottom);
  const slot = plotWidth / Math.max(1, dates.length);
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const bar = Math.max(1, (slot * 0.75) / series.length);
  const labelEvery = Math.max(1, Math.ceil(DATE_LABEL_PX / slot));
  const last = dates.length - 1;

  return svg`
    <g class="axis" aria-hidden="true">
      ${ticks.map(
        (
          t,
        ) => svg`<line x1=${left} x2=${left + plotWidth} y1=${y(t)} y2=${y(t)} class=${t === 0 ? 'base' : 'grid'}></line>
          <text x=${left - 6} y=${y(t)} dy="0.32em" text-anchor="end">${tick(t)}</text>`,
      )}
      ${dates.map((date, i) =>
        (last - i) % labelEvery === 0
          ? svg`<text x=${left + slot * (i + 0.5)} y=${height - 6} text-anchor="middle">${shortDate(date)}</text>`
          : null,
      )}
    </g>
    <g class="bars">
      ${dates.map((date, i) => {
        const x0 = left + slot * i + (slot - bar * series.length) / 2;
        const tip = `${shortDate(date)}: ${series.map((s) => `${s.name} ${format(s.values[i] ?? 0)}`).join(', ')}`;
        return svg`<g class="day" data-date=${date}>
          <title>${tip}</title>
          <rect class="hit" x=${left + slot * i} y=${MARGIN.top} width=${slot} height=${plotHeight}></rect>
          ${series.map((s, k) => {
            const value = s.values[i] ?? 0;
            // A day with traffic gets at least a sliver, so that it never looks like a day without.
            const h = value > 0 ? Math.max(1.5, (value / top) * plotHeight) : 0;
            return svg`<rect class="bar" data-series=${s.name} x=${x0 + k * bar} y=${MARGIN.top + plotHeight - h}
              width=${Math.max(1, bar - 1)} height=${h} fill=${s.color}></rect>`;
          })}
        </g>`;
      })}
    </g>
  `;
}
