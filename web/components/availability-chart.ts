/**
 * The availability view's chart, drawn with Observable Plot: downtime per year per model on
 * a log axis, the downtime of n nines drawn across it, and each simulated model's Monte
 * Carlo 99 % interval as a whisker on its bar. `<ls-availability>` loads this module on
 * demand, so Plot (and the parts of d3 it uses) is a chunk of its own, outside the app's
 * start-up; the service worker caches it with the rest of the build.
 *
 * Colours are the theme's CSS variables, so a change of theme needs no redrawing. Each bar,
 * whisker and nines line carries a `<title>` (its figure, shown on hover); the SVG is one
 * image to assistive technology, labelled with every figure it draws.
 */
import { barY, gridY, plot, ruleX, ruleY, text } from '@observablehq/plot';
import { formatDowntime, MODELS } from '../../src/availability/index.ts';
import { chartValues, decadeLabel, logAxis, type AvailabilityState } from '../state/availability.ts';

/** Size in SVG user units (the SVG scales to the width of its box). */
const WIDTH = 760, HEIGHT = 320;

/** Bars take 55 % of their model's slot. */
const BAR_PADDING = 0.45;

/**
 * The chart of `state`'s closed-form downtimes and simulated intervals. Bars rise from the
 * bottom decade of the axis (a log axis has no zero); an interval whose low end is 0 (no
 * simulated outage bounds it) reaches down to it. `describedBy`: the id of the caption that
 * explains the marks.
 */
export function downtimeChart(state: Pick<AvailabilityState, 'rows' | 'intervals'>, describedBy: string): SVGSVGElement {
  const axis = logAxis(chartValues(state));
  const bars = state.rows.map((row) => ({ model: row.model, minutes: row.downtime_min_per_year }));
  const whiskers = state.rows.flatMap((row) => {
    const interval = state.intervals?.[row.model];
    return interval && interval.outages > 0 ? [{ model: row.model, low: Math.max(axis.low, interval.low), high: interval.high, interval }] : [];
  });
  const ninesText = (m: { nines: number; minutes: number }) => `${m.nines} nines · ${formatDowntime(m.minutes)}`;
  const described = (model: string) => {
    const interval = whiskers.find((w) => w.model === model)?.interval;
    return interval ? `, simulated ${formatDowntime(interval.low)} to ${formatDowntime(interval.high)}` : '';
  };
  const label = `Downtime per year per model, log scale: ${bars.map((b) => `${b.model} ${formatDowntime(b.minutes)}${described(b.model)}`).join('; ')}. `
    + `Lines at ${axis.marks.length > 0 ? axis.marks.map(ninesText).join(', ') : 'no whole number of nines in this range'}.`;

  const chart = plot({
    width: WIDTH, height: HEIGHT, marginLeft: 80, marginRight: 150, marginTop: 24, marginBottom: 34,
    className: 'downtime-chart',
    ariaLabel: label,
    style: { color: 'var(--ls-text)', background: 'transparent', fontFamily: 'var(--ls-font)', fontSize: '13px', '--plot-background': 'var(--ls-surface)' } as Partial<CSSStyleDeclaration>,
    x: { domain: [...MODELS], padding: BAR_PADDING, label: null, tickSize: 0 },
    y: { type: 'log', domain: [axis.low, axis.high], ticks: axis.decades, tickFormat: decadeLabel, label: 'downtime per year' },
    marks: [
      gridY(axis.decades, { stroke: 'var(--ls-border)', strokeOpacity: 1 }),
      barY(bars, {
        x: 'model', y1: axis.low, y2: 'minutes', fill: 'var(--ls-accent)', className: 'bars',
        title: (b: (typeof bars)[number]) => `${b.model}: ${formatDowntime(b.minutes)} per year`,
      }),
      ruleY(axis.marks, {
        y: 'minutes', stroke: 'var(--ls-warn)', strokeWidth: 1.5, strokeDasharray: '6 4', className: 'nines',
        title: (m: { nines: number; minutes: number }) => `${m.nines} nines: A = 1 − 10^−${m.nines}, ${formatDowntime(m.minutes)} per year`,
      }),
      text(axis.marks, { y: 'minutes', text: ninesText, frameAnchor: 'right', textAnchor: 'start', dx: 6, fill: 'var(--ls-warn-text)', className: 'nines-label' }),
      ruleX(whiskers, {
        x: 'model', y1: 'low', y2: 'high', stroke: 'var(--ls-text)', strokeWidth: 2.5, marker: 'tick', className: 'intervals',
        title: (w: (typeof whiskers)[number]) => `${w.model}: simulated 99 % interval ${formatDowntime(w.interval.low)} to ${formatDowntime(w.interval.high)} per year`,
      }),
    ],
  });
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-describedby', describedBy);
  return chart as SVGSVGElement;
}
