/**
 * Failover systems in the browser (issue 11), in Debian's Chromium against the production
 * build: card-auth on the cluster with its primary pulled at a virtual time from the fault
 * bar, the compare view, and the shipped scenarios. Expectations come from outside the page:
 * the failover's times from the settings (a death at t is declared at ⌊t/H⌋·H + M·H and
 * taken over F later; a heartbeat at every multiple of H until the death), the ledger from
 * the library run the same way (createService + TransactionFeed), the comparison from the
 * library's compare() and from `lockstep compare --json` with the command the page prints.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations } from './helpers.ts';
import { createService, type FailoverSystem } from '../../src/system/index.ts';
import { compare, type CompareRow } from '../../src/system/compare.ts';
import { TransactionFeed } from '../../src/transactions/feed.ts';
import { WORKLOADS } from '../../src/transactions/workloads/index.ts';
import type { Workload } from '../../src/transactions/workloads/workload.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { assemble } from '../../src/isa/index.ts';
import { lockstep } from '../cli/lockstep.ts';

const site = siteSuite();

const program = (name: string) => assemble(readFileSync(new URL(`../../examples/${name}.s`, import.meta.url), 'utf8'), { file: `${name}.s` }).program!;

/** The page's settings for a workload (20,000/s for 20 ms, seed 1, FIFO 64) and a cluster (H = 1 ms, M = 3, F = 2 ms, K = 20,000). */
const FEED = { durationUs: 20_000, rate: 20_000, seed: 1, fifo: 64 };
const FAILOVER = { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 };
const KILL = 'at=8ms,module=0,kind=kill';

const counter = (page: Page, field: string) => page.locator(`ls-transactions [data-counter="${field}"]`);
const value = async (page: Page, field: string) => Number(await counter(page, field).getAttribute('data-value'));

async function cardAuthOn(topology: string): Promise<{ page: Page; errors: string[] }> {
  const { page, errors } = await openPage(site.browser().context, site.server().url);
  await whenReady(page);
  await page.locator('#example').selectOption('card-auth');
  await expect.poll(() => page.locator('#tx-clock').innerText()).toBe('virtual time 0 µs of 20.00 ms');
  await page.locator('#topology').selectOption(topology);
  return { page, errors };
}

async function runToEnd(page: Page): Promise<void> {
  await page.locator('#flat-out').click();
  await page.locator('#run').click();
  await expect.poll(() => page.locator('#tx-state').innerText(), { timeout: 60_000 }).toContain('Run complete: 20.00 ms of virtual time');
}

describe('a cluster in the browser', () => {
  it('refuses a plain program, in words, and keeps the machine it had', async () => {
    const { page, errors } = await openPage(site.browser().context, site.server().url);
    await whenReady(page);
    await page.locator('#topology').selectOption('cluster');
    await expect.poll(() => page.locator('#message').innerText()).toMatch(/^a cluster runs transaction workloads only \(card-auth, .*\): run one of them on it/);
    await expect.poll(() => page.locator('#topology').inputValue()).toBe('pair-spare');
    expect(await page.locator('ls-front-panel .module').count()).toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('primary pulled at 8 ms: host 0 dead, host 1 primary, the failover at the settings\' times, the library\'s ledger', async () => {
    const { page, errors } = await cardAuthOn('cluster');
    await expect.poll(() => page.locator('ls-failover-panel .host[data-host]').count()).toBe(2);
    expect(await page.locator('ls-failover-panel .host[data-host="0"]').getAttribute('data-role')).toBe('primary');
    expect(await page.locator('ls-failover-panel .host[data-host="1"]').getAttribute('data-role')).toBe('standby');
    // The settings bar shows the page's cluster settings, those the library run below uses.
    expect([await page.locator('#failover-heartbeat').inputValue(), await page.locator('#failover-missed').inputValue(),
      await page.locator('#failover-failoverTime').inputValue(), await page.locator('#failover-checkpointEvery').inputValue(),
      await page.locator('#failover-clusterAware').inputValue()]).toEqual(['1ms', '3', '2ms', '20000', 'off']);

    await page.locator('input[name=when][value=time]').check();
    await page.locator('input[name=at-time]').fill('8ms');
    await page.locator('input[name=at-time]').dispatchEvent('change');
    await page.locator('ls-failover-panel button[aria-label="Pull host 0 (kill it)"]').click();
    await expect.poll(() => page.locator('#pending').innerText()).toBe(`Scheduled: ${KILL}`);
    await runToEnd(page);

    expect(await page.locator('ls-failover-panel .host[data-host="0"]').getAttribute('data-role')).toBe('dead');
    expect(await page.locator('ls-failover-panel .host[data-host="1"]').getAttribute('data-role')).toBe('primary');
    expect(await page.locator('ls-failover-panel .host[data-host="0"] .light').getAttribute('aria-label')).toBe('Host 0: dead');
    expect(await page.locator('ls-registers th', { hasText: 'Host 1' }).count()).toBe(1);

    // The same run in the library.
    const { service, system } = await createService(program('card-auth'), { topology: 'cluster', failover: FAILOVER });
    const feed = new TransactionFeed(service, { ...FEED, workload: WORKLOADS.get('card-auth')!, timedFaults: [parseFault(KILL)] });
    feed.advance();
    const ledger = feed.ledger();
    const summary = (system as FailoverSystem).summary(feed.nowCycle);
    for (const field of ['arrived', 'correct', 'wrong', 'lost', 'dropped', 'rolled_back', 'duplicated', 'queued', 'downtime_us'] as const) {
      expect([field, await value(page, field)]).toEqual([field, ledger[field]]);
    }
    expect(ledger.lost).toBeGreaterThan(0);
    expect(ledger.rolled_back).toBeGreaterThan(0);
    expect(await counter(page, 'lost').innerText()).toContain('⚠ transactions lost');

    // The track: the death at 8 ms (on a heartbeat), declared M·H = 3 ms later, taken over F = 2 ms after that.
    const track = page.locator('ls-failover-panel #failover-track');
    const at = async (kind: string) => Number(await track.locator(`g.event[data-kind="${kind}"]`).getAttribute('data-us'));
    expect([await at('host-down'), await at('declared'), await at('takeover')]).toEqual([8000, 11_000, 13_000]);
    expect([await track.locator('rect.outage').getAttribute('data-from'), await track.locator('rect.outage').getAttribute('data-to')]).toEqual(['8000', '13000']);
    expect(await track.locator('line.beat').evaluateAll((lines) => lines.map((l) => Number(l.getAttribute('data-us')))))
      .toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000]);
    expect(await track.locator('rect.checkpoint').count()).toBe(summary.checkpoints);
    expect(await value(page, 'downtime_us')).toBe(5000);
    expect(await page.locator('ls-failover-panel [data-heartbeats]').getAttribute('data-heartbeats')).toBe('9'); // at 0, 1, …, 8 ms
    // The event timeline tells the story in virtual time.
    expect(await page.locator('ls-timeline li[data-stage="takeover"] .at').innerText()).toBe('13.00 ms');
    expect(await page.locator('ls-timeline li[data-stage="declared"] .title').innerText()).toBe('Host 0 declared dead');

    await screenshot(page, 'cluster-01-failover.png');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#theme').click();
    await screenshot(page, 'cluster-01-failover-other-theme.png');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the compare view: bars and table are compare()\'s rows, and its command line prints the same', async () => {
    const { page, errors } = await cardAuthOn('pair-spare');
    await page.locator('#compare-details summary').click();
    expect(await page.locator('#compare-at').inputValue()).toBe('10ms'); // half the run, as lockstep compare
    await page.locator('#compare-run').click();
    await expect.poll(() => page.locator('#compare-status').innerText(), { timeout: 60_000 }).toBe('Done: 16 runs.');

    const faults = [{ kind: 'hard' as const, atUs: 10_000 }, { kind: 'transient' as const, atUs: 10_000 }];
    const runs = await compare({
      workload: WORKLOADS.get('card-auth')!, pairAware: WORKLOADS.get('card-auth-pair')!, programOf: (w: Workload) => program(w.name),
      feed: FEED, faults, failover: FAILOVER,
    });
    const rows: CompareRow[] = runs.map((r) => r.row);
    expect(rows.length).toBe(16);

    // The table, cell by cell.
    for (const r of rows) {
      const tr = page.locator(`#compare-table tr[data-topology="${r.topology}"][data-fault="${r.fault}"]`);
      const cell = (field: string) => tr.locator(`td[data-field="${field}"]`).innerText();
      expect([r.topology, r.fault, await cell('lost'), await cell('duplicated'), await cell('wrong'), await cell('application_changes'), await cell('modules')])
        .toEqual([r.topology, r.fault, r.lost.toLocaleString('en-US'), r.duplicated.toLocaleString('en-US'), r.wrong.toLocaleString('en-US'), r.application_changes, String(r.modules)]);
    }
    // The bars: one per row and measure, its exact value in its title, its length in proportion within its measure.
    const bars = await page.locator('ls-compare svg.compare-chart g.bars rect').evaluateAll((rects) => rects.map((rect) => ({
      title: rect.querySelector('title')?.textContent ?? '', width: Number(rect.getAttribute('width') ?? 0),
    })));
    expect(bars.length).toBe(rows.length * 4);
    const drawn = new Map(bars.map((b) => [b.title, b.width]));
    const measures = [['lost', 'lost', ''], ['duplicated', 'duplicated', ''], ['wrong', 'wrong', ''], ['downtime_us', 'downtime', ' µs']] as const;
    for (const [field, label, unit] of measures) {
      const largest = Math.max(...rows.map((r) => r[field]));
      const fullWidth = Math.max(...rows.map((r) => drawn.get(`${r.topology}, ${r.fault} fault: ${label} ${r[field]}${unit}`) ?? NaN));
      for (const r of rows) {
        const width = drawn.get(`${r.topology}, ${r.fault} fault: ${label} ${r[field]}${unit}`);
        expect([r.topology, r.fault, field, width === undefined]).toEqual([r.topology, r.fault, field, false]);
        if (largest > 0) expect(width! / fullWidth).toBeCloseTo(r[field] / largest, 6);
        else expect(width).toBe(0);
      }
    }
    // The command line the page prints gives the same rows.
    const command = await page.locator('#compare-command').innerText();
    expect(command).toMatch(/^lockstep compare --workload card-auth /);
    const cli = await lockstep([...command.replace(/^lockstep /, '').split(' '), '--json']);
    expect(cli.status).toBe(0);
    expect(JSON.parse(cli.stdout.toString()).rows).toEqual(rows);

    await screenshot(page, 'cluster-02-compare.png');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#theme').click();
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([
    ['cluster-failover.json', 'cluster'],
    ['pair-spare-kill.json', 'pair-spare'],
  ])('the shipped scenario %s runs in the embed and meets what it expects', async (file, topology) => {
    const { page, errors } = await openPage(site.browser().context, `${site.server().url}embed.html?scenario=scenarios/${file}`);
    await whenReady(page);
    expect(await page.locator('#topology').inputValue()).toBe(topology);
    await expect.poll(() => page.locator('#pending').innerText()).toBe(`Scheduled: ${KILL}`);
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#tx-expect').getAttribute('data-met'), { timeout: 60_000 }).toBe('true');
    if (topology === 'cluster') {
      expect(await page.locator('ls-failover-panel .host[data-host="1"]').getAttribute('data-role')).toBe('primary');
      expect(await value(page, 'rolled_back')).toBeGreaterThan(0);
    } else {
      expect(await page.locator('ls-front-panel section[data-board="0"]').getAttribute('data-state')).toBe('offline');
      expect(await value(page, 'lost')).toBe(0);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
