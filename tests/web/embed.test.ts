/** The embed's postMessage protocol, origin allow-list, scenario location and the embed code, without a browser. */
import { describe, expect, it } from 'vitest';
import { parseRequest, parseAllowList, isAllowed } from '../../web/state/embed-protocol.ts';
import { embedSnippet, embedUrl } from '../../web/state/embed-code.ts';
import { scenarioLocation, loadScenario, scenarioProgram } from '../../web/state/scenario-source.ts';
import { decodeScenarioHash, validateScenario } from '../../src/scenario/scenario.ts';

describe('postMessage requests', () => {
  it('accepts the documented requests', () => {
    expect(parseRequest({ type: 'lockstep:step', id: 7 })).toEqual({ ok: true, request: { type: 'lockstep:step', id: 7, n: 1 } });
    expect(parseRequest({ type: 'lockstep:inject', id: 'a', fault: 'module=1,kind=kill' }))
      .toEqual({ ok: true, request: { type: 'lockstep:inject', id: 'a', fault: 'module=1,kind=kill' } });
    expect(parseRequest({ type: 'lockstep:replace', board: 1 })).toMatchObject({ ok: true });
  });

  it('answers malformed lockstep requests with an error and ignores everything else', () => {
    expect(parseRequest({ type: 'lockstep:warp', id: 3 })).toMatchObject({ ok: false, id: 3, error: expect.stringMatching(/unknown message type 'lockstep:warp'/) });
    expect(parseRequest({ type: 'lockstep:step', id: 4, n: -1 })).toMatchObject({ ok: false, id: 4 });
    expect(parseRequest({ type: 'lockstep:replace', id: 5 })).toMatchObject({ ok: false, error: expect.stringMatching(/module or board/) });
    expect(parseRequest({ type: 'webpackOk' })).toEqual({ ok: false, ignore: true });
    expect(parseRequest('hello')).toEqual({ ok: false, ignore: true });
  });
});

describe('origin allow-list', () => {
  it('allows only the embed’s own origin by default', () => {
    const allow = parseAllowList(null, 'https://lab.example');
    expect(isAllowed('https://lab.example', allow)).toBe(true);
    expect(isAllowed('https://evil.example', allow)).toBe(false);
  });

  it('takes origins from the URL, normalised, and ignores junk and null', () => {
    const allow = parseAllowList('https://course.example/page, http://localhost:8080 ,not a url', 'https://lab.example');
    expect([...allow]).toEqual(['https://course.example', 'http://localhost:8080']);
    expect(isAllowed('https://lab.example', allow)).toBe(false);
    expect(isAllowed('null', parseAllowList('null', 'https://lab.example'))).toBe(false);
    expect(isAllowed('https://any.example', parseAllowList('*', 'https://lab.example'))).toBe(true);
  });
});

describe('scenario location and program', () => {
  it('prefers #scenario= to ?scenario=', () => {
    expect(scenarioLocation('?scenario=a.json', '#scenario=eyJ9')).toEqual({ kind: 'inline', encoded: 'eyJ9' });
    expect(scenarioLocation('?scenario=lessons/a.json&origins=x', '')).toEqual({ kind: 'url', url: 'lessons/a.json' });
    expect(scenarioLocation('', '')).toEqual({ kind: 'none' });
  });

  it('fetches a scenario relative to the page and reports HTTP failures', async () => {
    const asked: string[] = [];
    const fetcher = async (url: string) => {
      asked.push(url);
      const found = url.endsWith('/lessons/ok.json') || url.endsWith('/lessons/prog.s');
      const body = '{"program":{"url":"prog.s"}}';
      return { ok: found, status: found ? 200 : 404, text: async () => body, arrayBuffer: async () => new TextEncoder().encode('nop\n').buffer };
    };
    const ok = await loadScenario({ kind: 'url', url: 'lessons/ok.json' }, 'https://lab.example/embed.html', fetcher);
    expect(ok.ok).toBe(true);
    expect(ok.base).toBe('https://lab.example/lessons/ok.json');
    if (ok.ok) {
      const program = await scenarioProgram(ok.scenario, ok.base!, fetcher);
      expect(program).toMatchObject({ kind: 'file', name: 'prog.s' });
      expect(asked.at(-1)).toBe('https://lab.example/lessons/prog.s');
    }
    const missing = await loadScenario({ kind: 'url', url: 'gone.json' }, 'https://lab.example/embed.html', fetcher);
    expect(missing).toEqual({ ok: false, error: 'the scenario https://lab.example/gone.json was not found (HTTP 404)' });
  });

  it('says "not found" with the URL when a server answers a missing file with its app page (vite preview, single-page hosts)', async () => {
    const page = '<!doctype html>\n<html lang="en"><head><title>app</title></head></html>\n';
    const spa = async () => ({
      ok: true, status: 200, headers: new Headers({ 'Content-Type': 'text/html' }),
      text: async () => page, arrayBuffer: async () => new TextEncoder().encode(page).buffer,
    });
    expect(await loadScenario({ kind: 'url', url: 'lessons/gone.json' }, 'https://lab.example/embed.html', spa))
      .toEqual({ ok: false, error: 'the scenario https://lab.example/lessons/gone.json was not found (the server answered with a web page instead)' });
    // The same page without a content type (a server that sends none) is recognised by its text.
    const bare = async () => ({ ...(await spa()), headers: new Headers() });
    expect((await loadScenario({ kind: 'url', url: 'gone.json' }, 'https://lab.example/embed.html', bare)).ok).toBe(false);
    const checked = validateScenario({ program: { url: 'prog.elf' } });
    expect(checked.ok).toBe(true);
    if (checked.ok) await expect(scenarioProgram(checked.scenario, 'https://lab.example/lessons/a.json', spa)).rejects.toThrow('the program https://lab.example/lessons/prog.elf was not found (the server answered with a web page instead)');
  });

  it('names the examples when a scenario asks for one that does not exist', async () => {
    const checked = validateScenario({ program: { example: 'doom' } });
    expect(checked.ok).toBe(true);
    if (checked.ok) await expect(scenarioProgram(checked.scenario, 'https://x/', fetch)).rejects.toThrow(/unknown example 'doom' \(use one of count, ledger, hello, checksum/);
  });
});

describe('embed code', () => {
  it('is an iframe of embed.html whose #scenario= decodes to the scenario', () => {
    const scenario = { title: 'Flip <s1>', program: { example: 'checksum' }, faults: ['at=3,module=1,kind=flip,target=x9,bit=2'] };
    const snippet = embedSnippet('https://lab.example/app/embed.html', scenario);
    expect(snippet).toMatch(/^<iframe src="https:\/\/lab\.example\/app\/embed\.html#scenario=[A-Za-z0-9_-]+" title="Lockstep Lab: Flip &lt;s1>" width="100%" height="720" style="border:0" loading="lazy"><\/iframe>$/);
    const hash = new URL(embedUrl('https://lab.example/app/embed.html', scenario)).hash.slice('#scenario='.length);
    const decoded = decodeScenarioHash(hash);
    expect(decoded.ok && decoded.scenario.faults).toEqual(scenario.faults);
    expect(embedUrl('https://lab.example/embed.html', scenario, ['https://course.example'])).toMatch(/\?origins=https%3A%2F%2Fcourse\.example#scenario=/);
  });
});
