/**
 * Memory ECC in the browser: a scenario with `machine.ecc: 'secded'` and a scrubber opens
 * with both settings shown, a flipped RAM bit is corrected (timeline entry, the module's
 * counter), the scrubber setting follows the ECC one, and axe-core finds nothing serious.
 */
import { describe, expect, it } from 'vitest';
import { siteSuite, openPage, whenReady, accessibilityViolations } from './helpers.ts';
import { encodeScenarioHash, type ScenarioInput } from '../../src/scenario/scenario.ts';

const site = siteSuite();

// 0-1 la s0,word  2 nop  3 lw a0,0(s0)  4 li a7,93  5 ecall
const LESSON: ScenarioInput = {
  title: 'ECC corrects one bit',
  program: { source: 'la s0, word\n nop\n lw a0, 0(s0)\n li a7, 93\n ecall\n .data\nword: .word 42\n', name: 'load.s' },
  machine: { topology: 'dmr', ecc: 'secded', scrubEvery: 100_000 },
  faults: ['at=2,module=1,kind=flip,target=mem:0x80001000,bit=6'],
  settings: { autorun: true, speed: 'max' },
};

describe('memory ECC in the page', () => {
  it('shows the settings of a scenario, corrects a flipped bit on dmr, and ties the scrubber to ECC', async () => {
    const { page, errors } = await openPage(site.browser().context, `${site.server().url}embed.html#scenario=${encodeScenarioHash(LESSON)}`);
    await whenReady(page);
    expect(await page.locator('#ecc').inputValue()).toBe('secded');
    expect(await page.locator('#scrub-every').inputValue()).toBe('100000');

    const corrected = page.locator('ls-timeline li[data-stage="corrected"]');
    await expect.poll(() => corrected.count(), { timeout: 20_000 }).toBe(1);
    expect(await corrected.innerText()).toContain("Module 1's ECC corrected bit 6 of RAM word 0x80001000 when it was read at instruction 3; it stays in lockstep");
    await expect.poll(() => page.locator('ls-timeline li[data-stage="halted"]').innerText()).toContain('finished with exit code 42');
    expect(await page.locator('ls-front-panel .module[data-module="1"] .corrected').innerText()).toBe('✓ ECC corrected 1 error');
    expect(await page.locator('ls-front-panel .module[data-module="0"] .corrected').count()).toBe(0);
    expect(await accessibilityViolations(page)).toEqual([]);

    // Without ECC there is nothing for a scrubber to correct with: it is switched off and disabled.
    await page.locator('#ecc').selectOption('none');
    await expect.poll(() => page.locator('#scrub-every').isDisabled()).toBe(true);
    expect(await page.locator('#scrub-every').inputValue()).toBe('off');
    await page.locator('#ecc').selectOption('secded');
    await expect.poll(() => page.locator('#scrub-every').isDisabled()).toBe(false);
    await page.locator('#scrub-every').selectOption('10000');
    await expect.poll(() => page.locator('#scrub-every').inputValue()).toBe('10000');
    expect(errors).toEqual([]);
  });
});
