/**
 * The campaign panel end to end (issue 13): a campaign of the checksum example on simplex and
 * tmr in the page's Web Workers counts exactly what `lockstep campaign` counts for the same
 * seed (the same engine, the same faults), draws a stacked bar per topology with each
 * outcome's 95 % interval, lists the failing runs, loads one into the machine with a click,
 * and passes axe-core in both themes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations } from './helpers.ts';
import { CampaignEngine } from '../../src/campaign/engine.ts';
import { DEFAULT_SPACE } from '../../src/campaign/space.ts';
import { assemble } from '../../src/isa/index.ts';

const site = siteSuite();
const RUNS = 300;

/** What the CLI's engine counts for the first RUNS runs of seed 1 on `topology`. */
async function nodeCounts(topology: 'simplex' | 'tmr'): Promise<Record<string, number>> {
  const program = assemble(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), { file: 'checksum.s' }).program!;
  const engine = await CampaignEngine.prepare({ program, topology, seed: 1, space: DEFAULT_SPACE });
  const counts: Record<string, number> = {};
  for (let k = 0; k < RUNS; k++) {
    const { outcome } = engine.run(k);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
  }
  return counts;
}

describe('the campaign panel', () => {
  it('runs in Web Workers, counts what the CLI counts, draws intervals, loads a failing run into the machine', async () => {
    const { page, errors } = await openPage(site.browser().context, `${site.server().url}index.html`);
    await whenReady(page);
    await page.locator('#example').selectOption('checksum');
    await expect.poll(() => page.locator('h1 small').textContent()).toBe('checksum.s');
    await page.locator('details#campaign summary').click();
    const panel = page.locator('ls-campaign');
    await panel.locator('#cp-runs').fill(String(RUNS));
    await panel.locator('#cp-runs').dispatchEvent('change');
    for (const t of ['dmr', 'pair-spare']) await panel.locator(`#cp-topology-${t}`).uncheck();
    await panel.locator('#cp-run').click();
    await expect.poll(() => panel.locator('#cp-status').textContent(), { timeout: 90_000 }).toBe('Campaign finished');

    for (const topology of ['simplex', 'tmr'] as const) {
      const table = panel.locator(`table[data-topology="${topology}"]`);
      expect(await table.locator('caption').textContent()).toBe(`${topology}: ${RUNS} of ${RUNS} runs, done`);
      const shown: Record<string, number> = {};
      for (const row of await table.locator('tbody tr').all()) {
        const count = Number(await row.locator('td.count').textContent());
        if (count > 0) shown[(await row.getAttribute('data-outcome'))!] = count;
      }
      expect(shown).toEqual(await nodeCounts(topology));
      // Every outcome seen has its interval under the bar, around its share.
      for (const line of await panel.locator(`g.topology[data-topology="${topology}"] line.interval`).all()) {
        const share = shown[(await line.getAttribute('data-outcome'))!] / RUNS;
        expect(Number(await line.getAttribute('data-low'))).toBeLessThanOrEqual(share);
        expect(Number(await line.getAttribute('data-high'))).toBeGreaterThanOrEqual(share);
      }
      expect(await panel.locator(`g.topology[data-topology="${topology}"] rect.segment`).count()).toBe(Object.keys(shown).length);
    }
    // A simplex corrupts its checksum or crashes; tmr never does: only simplex runs are listed.
    expect(await panel.locator('#cp-failing li[data-topology="tmr"]').count()).toBe(0);
    const first = panel.locator('#cp-failing li[data-topology="simplex"]').first();
    const fault = (await first.locator('code').textContent())!;
    await page.locator('#topology').selectOption('tmr');
    await first.locator('button.load').click();
    await expect.poll(() => page.locator('#message').textContent()).toContain(`scheduled: ${fault}`);
    expect(await page.locator('#topology').inputValue()).toBe('simplex');

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, '50-campaign-panel.png');
    await page.locator('#theme').click();
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
