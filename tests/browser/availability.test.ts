/**
 * The availability view end to end (issue 14): a scenario opens it with preset parameters,
 * a slider moved with the keyboard changes the figures, the chart (Observable Plot's SVG)
 * draws each model's closed-form downtime and the nines where a log axis puts them, a
 * simulation draws its intervals on the bars, the embed code carries the parameters shown,
 * and axe-core finds nothing serious in the view, in either theme, whose chart text and
 * marks keep their contrast.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations } from './helpers.ts';
import { decodeScenarioHash, encodeScenarioHash } from '../../src/scenario/scenario.ts';
import { assess, DEFAULT_PARAMETERS, formatDowntime, MODELS } from '../../src/availability/index.ts';

const site = siteSuite();

/** λ = 1e-4 /h (MTBF 10,000 h), μ = 0.5 /h (MTTR 2 h). */
const LESSON = { title: 'What does a second module buy?', program: { example: 'count' }, availability: { lambda: 1e-4, mu: 0.5 } };

/** Minutes in a year of 365.25 days; n nines (A = 1 − 10^−n) leave 10^−n of it down. */
const MINUTES_PER_YEAR = 525_960;
const ninesMinutes = (n: number) => MINUTES_PER_YEAR * 10 ** -n;

/**
 * The chart's marks as drawn, in SVG units from its top (y grows downwards): each bar's
 * model (from its title), top and bottom, each whisker's, each nines line's and grid line's
 * y, and the nines labels with the y of their middle. Lines are read without their group's
 * transform, which only moves them half a unit to keep them sharp.
 */
async function drawnChart(page: Page) {
  return page.locator('ls-availability svg.downtime-chart').evaluate((svg) => {
    const box = (el: Element) => (el as SVGGraphicsElement).getBBox();
    const drawn = (el: Element) => ({ model: el.querySelector('title')!.textContent!.split(':')[0], top: box(el).y, bottom: box(el).y + box(el).height });
    const toSvg = (svg as SVGSVGElement).getScreenCTM()!.inverse();
    const middle = (el: Element) => new DOMPoint(0, (el.getBoundingClientRect().top + el.getBoundingClientRect().bottom) / 2).matrixTransform(toSvg).y;
    return {
      bars: [...svg.querySelectorAll('g.bars rect')].map(drawn),
      whiskers: [...svg.querySelectorAll('g.intervals line')].map(drawn),
      nines: [...svg.querySelectorAll('g.nines line')].map((l) => box(l).y),
      grid: [...svg.querySelectorAll('g[aria-label="y-grid"] line')].map((l) => box(l).y),
      labels: [...svg.querySelectorAll('g.nines-label text')].map((t) => ({ text: t.textContent!, middle: middle(t) })),
    };
  });
}

/**
 * The downtimes, minutes per year, that a figure of the table may stand for: it shows
 * minutes to 0.01, or seconds to 3 significant digits below 0.01 min.
 */
function figureBounds(figure: string): [number, number] {
  const value = Number(figure.replace(/,/g, '').split(' ')[0]);
  if (figure.endsWith(' min')) return [value - 0.005, value + 0.005];
  const half = value > 0 ? 0.5 * 10 ** (Math.floor(Math.log10(value)) - 2) : 0;
  return [(value - half) / 60, (value + half) / 60];
}

type Chart = Awaited<ReturnType<typeof drawnChart>>;

/**
 * Checks that `chart` has a log axis — one nines line to the next is one decade, the same
 * height each time, each labelled on its line; the grid lines at whole decades of minutes —
 * and that each bar rises from the bottom one to its model's `downtime` (minutes per year).
 * Returns where the axis puts a downtime, from the nines lines (n nines: 10^−n of a year).
 */
function expectClosedFormBars(chart: Chart, downtime: Record<string, number>): (minutes: number) => number {
  expect(chart.nines.length).toBeGreaterThanOrEqual(2);
  const firstNines = Number(chart.labels[0].text.split(' ')[0]);
  const decade = chart.nines[1] - chart.nines[0];
  expect(decade).toBeGreaterThan(20);
  chart.nines.forEach((y, k) => expect(y).toBeCloseTo(chart.nines[0] + k * decade, 1));
  chart.labels.forEach((label, k) => {
    expect(label.text).toBe(`${firstNines + k} nines · ${formatDowntime(ninesMinutes(firstNines + k))}`);
    expect(Math.abs(label.middle - chart.nines[k])).toBeLessThan(2);
  });
  const yOf = (minutes: number) => chart.nines[0] + decade * Math.log10(ninesMinutes(firstNines) / minutes);
  const decadesAt = (y: number) => Math.log10(ninesMinutes(firstNines)) + (chart.nines[0] - y) / decade;
  expect(chart.grid.length).toBeGreaterThanOrEqual(2);
  for (const y of chart.grid) expect(Math.abs(decadesAt(y) - Math.round(decadesAt(y)))).toBeLessThan(0.005);
  expect(chart.bars.map((b) => b.model)).toEqual([...MODELS]);
  for (const bar of chart.bars) {
    expect(Math.abs(bar.top - yOf(downtime[bar.model])), bar.model).toBeLessThan(0.5);
    expect(bar.bottom).toBeCloseTo(Math.max(...chart.grid), 1);
  }
  return yOf;
}

/** WCAG 2 contrast ratio of two `rgb(r, g, b)` colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, b] = css.match(/\d+(\.\d+)?/g)!.slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The chart's colours as the page computes them in the current theme, and the card's background behind them. */
async function chartColours(page: Page) {
  return page.locator('ls-availability svg.downtime-chart').evaluate((svg) => {
    let card: Element | null = svg;
    while (card && getComputedStyle(card).backgroundColor === 'rgba(0, 0, 0, 0)') card = card.parentElement ?? (card.getRootNode() as ShadowRoot).host ?? null;
    const style = (selector: string) => getComputedStyle(svg.querySelector(selector)!);
    return {
      background: getComputedStyle(card!).backgroundColor,
      tickLabel: style('g[aria-label="y-axis tick label"] text').fill,
      ninesLabel: style('g.nines-label').fill,
      ninesLine: style('g.nines').stroke,
      bar: style('g.bars').fill,
    };
  });
}

describe('the availability view', () => {
  it('opens from a scenario, follows a slider moved with the keyboard, draws a simulation and passes axe-core', async () => {
    const { page, errors } = await openPage(site.browser().context, `${site.server().url}embed.html#scenario=${encodeScenarioHash(LESSON)}`);
    await whenReady(page);
    expect(await page.locator('details#availability').getAttribute('open')).not.toBeNull();
    const simplexDowntime = page.locator('ls-availability #av-figures tr[data-model="simplex"] td.downtime');
    // A simplex is down λ/(λ+μ) of a year of 525,960 min: 525,960 × 1e-4 / 0.5001 = 105.17 min.
    expect(await simplexDowntime.textContent()).toBe('105.17 min');
    expect(await page.locator('ls-availability #av-mtbf').inputValue()).toBe('10000');

    // One step right on the log slider: 10^4.05 = 11,220 h, shown to 3 digits as 11,200 h.
    await page.locator('ls-availability #av-mtbf-range').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('ls-availability #av-mtbf').inputValue()).toBe('11200');
    // U = λ/(λ+μ) with λ = 1/11,200, μ = 1/2: 525,960 / 5,601 = 93.90 min.
    expect(await simplexDowntime.textContent()).toBe(`${(525_960 / 5_601).toFixed(2)} min`);
    expect(await page.locator('ls-availability #av-mtbf-range').getAttribute('aria-valuetext')).toBe('11200 h');

    // The nines on the chart: three nines at 525.96 min, four at 52.60, five at 5.26 (a year of 365.25 days).
    const chart = await drawnChart(page);
    const labels = chart.labels.map((l) => l.text);
    expect(labels).toEqual(expect.arrayContaining(['4 nines · 52.60 min', '5 nines · 5.26 min']));
    // Every bar reaches its model's closed-form downtime (the simplex's by hand above) and rises from the axis' bottom.
    const parameters = { ...DEFAULT_PARAMETERS, lambda: 1 / 11_200, mu: 0.5 };
    const downtime = Object.fromEntries(MODELS.map((m) => [m, assess(m, parameters).downtime_min_per_year]));
    expect(downtime.simplex).toBeCloseTo(525_960 / 5_601, 9);
    expectClosedFormBars(chart, downtime);
    // So the taller bar is the model down longer.
    const byHeight = [...chart.bars].sort((a, b) => a.top - b.top).map((b) => b.model);
    expect(byHeight).toEqual([...MODELS].sort((a, b) => downtime[b] - downtime[a]));

    await page.locator('ls-availability #av-simulate').click();
    await expect.poll(() => page.locator('ls-availability #av-sim-status').textContent(), { timeout: 30_000 }).toMatch(/^Simulated 1,000 runs of 5 years, seed 1\.$/);
    expect(await page.locator('ls-availability #av-figures td.interval').count()).toBe(6);
    // Each model that had an outage has its interval drawn on its bar, from the low end to the high end the table
    // gives; it holds the closed form (the top of the bar) unless the table says it does not. The simplex's does.
    // The axis may have grown to take the intervals in: the bars are where it now puts the closed forms.
    const simulated = await drawnChart(page);
    const ySimulated = expectClosedFormBars(simulated, downtime);
    const rows = await page.locator('ls-availability #av-figures tbody tr').evaluateAll((trs) => trs.map((tr) => ({
      model: tr.getAttribute('data-model')!, interval: tr.querySelector('td.interval')!.textContent!.replace(/\s+/g, ' ').trim(),
    })));
    const drawnRows = rows.filter((r) => !r.interval.startsWith('no outage'));
    expect(simulated.whiskers.map((w) => w.model)).toEqual(drawnRows.map((r) => r.model));
    /** Where a figure of the table belongs on the axis: the y span of every downtime that rounds to it. */
    const span = (figure: string) => figureBounds(figure).map(ySimulated).reverse();
    for (const whisker of simulated.whiskers) {
      const row = drawnRows.find((r) => r.model === whisker.model)!;
      const [low, high] = /^(\S+ (?:min|s)) – (\S+ (?:min|s))/.exec(row.interval)!.slice(1);
      const [highTop, highBottom] = span(high);
      expect(whisker.top, whisker.model).toBeGreaterThan(highTop - 0.5);
      expect(whisker.top, whisker.model).toBeLessThan(highBottom + 0.5);
      if (figureBounds(low)[0] > 0) {
        const [lowTop, lowBottom] = span(low);
        expect(whisker.bottom, whisker.model).toBeGreaterThan(lowTop - 0.5);
        expect(whisker.bottom, whisker.model).toBeLessThan(lowBottom + 0.5);
      }
      const top = simulated.bars.find((b) => b.model === whisker.model)!.top;
      expect(whisker.top <= top && top <= whisker.bottom, whisker.model).toBe(!row.interval.includes('closed form outside'));
    }
    const simplex = simulated.whiskers.find((w) => w.model === 'simplex')!;
    expect(simplex.top).toBeLessThan(ySimulated(525_960 / 5_601));
    expect(simplex.bottom).toBeGreaterThan(ySimulated(525_960 / 5_601));

    // The embed code opens the view again, with the parameters it shows now.
    await page.locator('#copy-embed').click();
    const code = await page.locator('#embed textarea').inputValue();
    const embedded = decodeScenarioHash(/#scenario=([A-Za-z0-9_-]+)/.exec(code)![1]);
    expect(embedded.ok && embedded.scenario.availability).toEqual({ lambda: 1 / 11_200, mu: 0.5 });
    await page.keyboard.press('Escape');

    // axe-core does not judge SVG text: the chart's labels keep 4.5:1 against the card, its bars and lines 3:1 (WCAG 1.4.11).
    const themes: string[] = [];
    for (;;) {
      const theme = (await page.locator('lockstep-machine').getAttribute('theme'))!;
      themes.push(theme);
      expect(await accessibilityViolations(page), theme).toEqual([]);
      const colours = await chartColours(page);
      expect(contrast(colours.tickLabel, colours.background), `${theme} axis labels`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colours.ninesLabel, colours.background), `${theme} nines labels`).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colours.ninesLine, colours.background), `${theme} nines lines`).toBeGreaterThanOrEqual(3);
      expect(contrast(colours.bar, colours.background), `${theme} bars`).toBeGreaterThanOrEqual(3);
      await screenshot(page, `40-availability-view-${theme}.png`);
      if (themes.length === 2) break;
      await page.locator('#theme').click(); // the other theme: its colours pass too
    }
    expect(themes.sort()).toEqual(['dark', 'light']);
    expect(errors).toEqual([]);
    await page.close();
  });
});
