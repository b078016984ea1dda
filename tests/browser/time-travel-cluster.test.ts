/**
 * Time travel on a failover cluster in Debian's Chromium (issue 15): card-auth on the
 * cluster with its primary pulled at 8 ms, run to the end; the jump to the detection lands
 * just after the takeover, and one step back shows the state before it — host 0 still the
 * primary, no death on the track, the ledger strip's counters as they were. Expectations come
 * from the library's own run (createService + TransactionFeed): the instruction of the death,
 * and its ledger at that instruction and at the end.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations } from './helpers.ts';
import { createService, type FailoverSystem } from '../../src/system/index.ts';
import { TransactionFeed } from '../../src/transactions/feed.ts';
import { WORKLOADS } from '../../src/transactions/workloads/index.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { assemble } from '../../src/isa/index.ts';

const site = siteSuite();

/** The page's workload (20,000/s for 20 ms, seed 1, FIFO 64) and cluster settings (H = 1 ms, M = 3, F = 2 ms, K = 20,000). */
const FEED = { durationUs: 20_000, rate: 20_000, seed: 1, fifo: 64 };
const FAILOVER = { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 };
const KILL = 'at=8ms,module=0,kind=kill';
const LEDGER_FIELDS = ['arrived', 'correct', 'wrong', 'lost', 'dropped', 'rolled_back', 'duplicated', 'queued', 'downtime_us'] as const;

/** The library's cluster run with the kill, stopped at instruction `until` (the end if none): its ledger, roles and events. */
async function libraryRun(until = Infinity) {
  const program = assemble(readFileSync(new URL('../../examples/card-auth.s', import.meta.url), 'utf8'), { file: 'card-auth.s' }).program!;
  const { service, system } = await createService(program, { topology: 'cluster', failover: FAILOVER });
  const feed = new TransactionFeed(service, { ...FEED, workload: WORKLOADS.get('card-auth')!, timedFaults: [parseFault(KILL)] });
  if (until === Infinity) feed.advance();
  else while (service.instret < until) feed.advance(until - service.instret);
  const summary = (system as FailoverSystem).summary(feed.nowCycle);
  return { instret: service.instret, ledger: feed.ledger(), roles: summary.hosts.map((h) => h.role), events: summary.events };
}

const role = (page: Page, host: number) => page.locator(`ls-failover-panel .host[data-host="${host}"]`).getAttribute('data-role');
const counter = async (page: Page, field: string) => Number(await page.locator(`ls-transactions [data-counter="${field}"]`).getAttribute('data-value'));
const instret = async (page: Page) => Number((await page.locator('#instret').innerText()).replace(/[^\d]/g, ''));

async function expectLedger(page: Page, ledger: Awaited<ReturnType<typeof libraryRun>>['ledger']): Promise<void> {
  for (const field of LEDGER_FIELDS) await expect.poll(async () => [field, await counter(page, field)]).toEqual([field, ledger[field]]);
}

describe('time travel on a cluster in the browser', () => {
  it('one step back after the takeover shows the primary before its death, with the ledger as it was; Present returns to the end', async () => {
    const end = await libraryRun();
    const death = end.events.find((e) => e.kind === 'host-down')!.instret;
    const before = await libraryRun(death);
    expect(before.roles).toEqual(['primary', 'standby']);

    const { page, errors } = await openPage(site.browser().context, site.server().url);
    await whenReady(page);
    await page.locator('#example').selectOption('card-auth');
    await expect.poll(() => page.locator('#tx-clock').innerText()).toBe('virtual time 0 µs of 20.00 ms');
    await page.locator('#topology').selectOption('cluster');
    await expect.poll(() => page.locator('ls-failover-panel .host[data-host]').count()).toBe(2);
    await page.locator('input[name=when][value=time]').check();
    await page.locator('input[name=at-time]').fill('8ms');
    await page.locator('input[name=at-time]').dispatchEvent('change');
    await page.locator('ls-failover-panel button[aria-label="Pull host 0 (kill it)"]').click();
    await expect.poll(() => page.locator('#pending').innerText()).toBe(`Scheduled: ${KILL}`);
    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#tx-state').innerText(), { timeout: 60_000 }).toContain('Run complete: 20.00 ms of virtual time');
    await expectLedger(page, end.ledger);

    // Just after the detection: the standby has taken over and run one instruction.
    await page.locator('button[data-landmark="detection"]').click();
    await expect.poll(() => instret(page)).toBe(death + 1);
    expect([await role(page, 0), await role(page, 1)]).toEqual(['dead', 'primary']);
    expect(await page.locator('ls-failover-panel #failover-track g.event[data-kind="takeover"]').count()).toBe(1);

    // One step back: before the death, nothing of the failover has happened.
    await page.locator('#back').click();
    await expect.poll(() => instret(page)).toBe(death);
    await expect.poll(() => role(page, 0)).toBe('primary');
    expect(await role(page, 1)).toBe('standby');
    expect(await page.locator('ls-failover-panel #failover-track g.event[data-kind="host-down"]').count()).toBe(0);
    expect(await page.locator('ls-failover-panel #failover-track g.event[data-kind="takeover"]').count()).toBe(0);
    await expectLedger(page, before.ledger);
    expect(await page.locator('#history-status').innerText()).toContain(`Replaying the recorded run: instruction ${death.toLocaleString('en-US')} of ${end.instret.toLocaleString('en-US')}`);
    await screenshot(page, 'time-travel-cluster-before-takeover.png');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The present comes back as the run left it.
    await page.locator('#present').click();
    await expect.poll(() => instret(page)).toBe(end.instret);
    await expect.poll(() => role(page, 0)).toBe('dead');
    expect(await role(page, 1)).toBe('primary');
    await expectLedger(page, end.ledger);
    expect(errors).toEqual([]);
    await page.close();
  });
});
