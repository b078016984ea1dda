/**
 * The compare view's chart for one fault, drawn with Observable Plot as the availability
 * view's is: a row per topology and a column per measure (lost, duplicated, wrong,
 * downtime), each bar's length its value over the largest of that measure in the table (so
 * each measure has its own scale, shared by both faults), its value written beside it.
 * `<ls-compare>` loads this module on demand: Plot is a chunk of its own, shared with the
 * availability chart.
 *
 * Colours are the theme's CSS variables. Each bar carries a `<title>` with its exact value
 * (`cluster, hard fault: lost 84`, downtime in µs); the SVG is one image to assistive
 * technology, labelled with every value it draws, and the numbers are in the table too.
 */
import { barX, plot, ruleX, text } from '@observablehq/plot';
import type { CompareFault, CompareRow } from '../../src/system/compare.ts';
import { COMPARE_MEASURES, type CompareMeasure } from '../state/compare.ts';
import { virtualTime } from '../state/workload.ts';

/** Width in SVG user units (the SVG scales to the width of its box); each row is ROW high. */
const WIDTH = 760, ROW = 26;

/** The bars fill at most 1 / X_ROOM of their column: the rest holds the value. */
const X_ROOM = 1.7;

interface Bar {
  topology: string;
  measure: string;
  field: CompareMeasure;
  value: number;
  /** value / the largest of its measure (0 when all are 0). */
  fraction: number;
}

const shown = (field: CompareMeasure, value: number) => (field === 'downtime_us' ? virtualTime(value) : value.toLocaleString('en-US'));
const exact = (field: CompareMeasure, value: number) => (field === 'downtime_us' ? `${value} µs` : String(value));

/** The chart of `rows` (one fault's, in table order); `scale`: the largest value of each measure. */
export function compareChart(fault: CompareFault, rows: readonly CompareRow[], scale: Record<CompareMeasure, number>, describedBy: string): SVGSVGElement {
  const bars: Bar[] = rows.flatMap((r) => COMPARE_MEASURES.map((m) => ({
    topology: r.topology, measure: m.label, field: m.field, value: r[m.field], fraction: scale[m.field] > 0 ? r[m.field] / scale[m.field] : 0,
  })));
  const title = (b: Bar) => `${b.topology}, ${fault} fault: ${b.measure} ${exact(b.field, b.value)}`;
  const label = `${fault} fault, per topology: ${rows.map((r) => `${r.topology}: ${COMPARE_MEASURES.map((m) => `${m.label} ${shown(m.field, r[m.field])}`).join(', ')}`).join('; ')}.`;
  const bar = (fill: string, which: (b: Bar) => boolean) => barX(bars, {
    filter: which, fx: 'measure', y: 'topology', x: 'fraction', fill, insetTop: 4, insetBottom: 4, className: 'bars', title,
  });
  const chart = plot({
    width: WIDTH, height: 36 + ROW * rows.length, marginLeft: 150, marginRight: 8, marginTop: 30, marginBottom: 6,
    className: 'compare-chart',
    ariaLabel: label,
    style: { color: 'var(--ls-text)', background: 'transparent', fontFamily: 'var(--ls-font)', fontSize: '13px' } as Partial<CSSStyleDeclaration>,
    fx: { domain: COMPARE_MEASURES.map((m) => m.label), label: null, axis: 'top', padding: 0.08 },
    x: { domain: [0, X_ROOM], axis: null },
    y: { domain: rows.map((r) => r.topology), label: null, tickSize: 0 },
    marks: [
      ruleX([0], { stroke: 'var(--ls-border)', ariaHidden: 'true' }),
      bar('var(--ls-bad)', (b) => b.field !== 'downtime_us'),
      bar('var(--ls-warn)', (b) => b.field === 'downtime_us'),
      text(bars, { fx: 'measure', y: 'topology', x: 'fraction', text: (b: Bar) => shown(b.field, b.value), textAnchor: 'start', dx: 4, fill: 'var(--ls-text)' }),
    ],
  });
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-describedby', describedBy);
  return chart as SVGSVGElement;
}
