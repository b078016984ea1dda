/**
 * The availability view end to end (issue 14): a scenario opens it with preset parameters,
 * a slider moved with the keyboard changes the figures, a simulation draws its intervals on
 * the bars, the embed code carries the parameters shown, and axe-core finds nothing serious
 * in the view, in either theme.
 */
import { describe, expect, it } from 'vitest';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations } from './helpers.ts';
import { decodeScenarioHash, encodeScenarioHash } from '../../src/scenario/scenario.ts';

const site = siteSuite();

/** λ = 1e-4 /h (MTBF 10,000 h), μ = 0.5 /h (MTTR 2 h). */
const LESSON = { title: 'What does a second module buy?', program: { example: 'count' }, availability: { lambda: 1e-4, mu: 0.5 } };

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
    const marks = await page.locator('ls-availability .nines-mark').evaluateAll((gs) => gs.map((g) => g.textContent!.trim()));
    expect(marks).toEqual(expect.arrayContaining(['4 nines · 52.60 min', '5 nines · 5.26 min']));

    await page.locator('ls-availability #av-simulate').click();
    await expect.poll(() => page.locator('ls-availability #av-sim-status').textContent(), { timeout: 30_000 }).toMatch(/^Simulated 1,000 runs of 5 years, seed 1\.$/);
    expect(await page.locator('ls-availability #av-figures td.interval').count()).toBe(6);
    // Each model that had an outage has its interval drawn on its bar; the simplex's holds its closed form.
    const unseen = await page.locator('ls-availability #av-figures td.interval', { hasText: 'no outage' }).count();
    expect(await page.locator('ls-availability g.interval').count()).toBe(6 - unseen);
    const simplex = page.locator('ls-availability g.bar-group[data-model="simplex"] g.interval');
    const [low, high] = [Number(await simplex.getAttribute('data-low')), Number(await simplex.getAttribute('data-high'))];
    expect(low).toBeLessThan(525_960 / 5_601);
    expect(high).toBeGreaterThan(525_960 / 5_601);

    // The embed code opens the view again, with the parameters it shows now.
    await page.locator('#copy-embed').click();
    const code = await page.locator('#embed textarea').inputValue();
    const embedded = decodeScenarioHash(/#scenario=([A-Za-z0-9_-]+)/.exec(code)![1]);
    expect(embedded.ok && embedded.scenario.availability).toEqual({ lambda: 1 / 11_200, mu: 0.5 });
    await page.keyboard.press('Escape');

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, '40-availability-view.png');
    await page.locator('#theme').click(); // the other theme: its colours pass too
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
