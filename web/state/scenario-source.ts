/**
 * Where the embed page's scenario comes from: `#scenario=<base64url JSON>` inline, or
 * `?scenario=URL` fetched (relative to the page). The hash wins when both are given. The
 * scenario's program is resolved here too: a shipped example, inline source, or a file
 * fetched relative to the scenario's own URL.
 *
 * A file that is not there is "not found", with its URL: an HTTP 404, or a web page in its
 * place (a server that answers every unknown path with its app's index.html, as `vite
 * preview` and many single-page hosts do).
 */
import { decodeScenarioHash, parseScenario, type Scenario, type ScenarioResult } from '../../src/scenario/scenario.ts';
import type { ProgramInput } from '../../src/worker/session.ts';
import { exampleById, EXAMPLES } from './examples.ts';

export type ScenarioLocation =
  | { kind: 'inline'; encoded: string }
  | { kind: 'url'; url: string }
  | { kind: 'none' };

export function scenarioLocation(search: string, hash: string): ScenarioLocation {
  const hashParams = new URLSearchParams(hash.replace(/^#/, ''));
  const inline = hashParams.get('scenario');
  if (inline !== null) return { kind: 'inline', encoded: inline };
  const url = new URLSearchParams(search).get('scenario');
  if (url !== null && url !== '') return { kind: 'url', url };
  return { kind: 'none' };
}

export type Fetch = (url: string) => Promise<{
  ok: boolean; status: number; headers?: { get(name: string): string | null };
  text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer>;
}>;

/**
 * Why a response is not the file asked for, as the end of a sentence about it ("was not
 * found (HTTP 404)"), or undefined when it is. `body`: the start of its text, once read.
 */
function missing(response: Awaited<ReturnType<Fetch>>, body?: string): string | undefined {
  if (response.status === 404 || response.status === 410) return `was not found (HTTP ${response.status})`;
  if (!response.ok) return `could not be loaded (HTTP ${response.status})`;
  const type = response.headers?.get('content-type') ?? '';
  if (/^text\/html\b/i.test(type) || (body !== undefined && /^\s*<(!doctype|html)\b/i.test(body))) {
    return 'was not found (the server answered with a web page instead)';
  }
  return undefined;
}

/**
 * The text of the `what` file at `location` (relative to `pageUrl`, as `?scenario=` and
 * `?lesson=` give it) and its absolute URL, or why it cannot be had, in one sentence.
 */
export async function loadText(what: 'scenario' | 'lesson', location: string, pageUrl: string, fetcher: Fetch): Promise<{ ok: true; text: string; url: string } | { ok: false; error: string }> {
  let url: string;
  try {
    url = new URL(location, pageUrl).href;
  } catch {
    return { ok: false, error: `?${what}=${location} is not a URL` };
  }
  try {
    const response = await fetcher(url);
    const text = response.ok ? await response.text() : undefined;
    const problem = missing(response, text);
    if (problem) return { ok: false, error: `the ${what} ${url} ${problem}` };
    return { ok: true, text: text!, url };
  } catch (error) {
    return { ok: false, error: `the ${what} ${url} could not be loaded: ${(error as Error).message}` };
  }
}

/** The scenario at `location`, and the URL its relative program URL resolves against. */
export async function loadScenario(location: ScenarioLocation, pageUrl: string, fetcher: Fetch): Promise<ScenarioResult & { base?: string }> {
  if (location.kind === 'inline') return { ...decodeScenarioHash(location.encoded), base: pageUrl };
  if (location.kind === 'none') return { ok: false, error: 'no scenario given' };
  const loaded = await loadText('scenario', location.url, pageUrl, fetcher);
  if (!loaded.ok) return loaded;
  const result = parseScenario(loaded.text);
  return result.ok ? { ...result, base: loaded.url } : { ok: false, error: `${loaded.url}: ${result.error}` };
}

/** The program a scenario names, ready for the session. Throws Error with a message for people. */
export async function scenarioProgram(scenario: Scenario, base: string, fetcher: Fetch): Promise<ProgramInput & { name: string }> {
  const program = scenario.program;
  if ('example' in program) {
    const example = exampleById(program.example);
    if (!example) throw new Error(`invalid scenario:\nprogram.example: unknown example '${program.example}' (use one of ${EXAMPLES.map((e) => e.id).join(', ')})`);
    return { kind: 'source', source: example.source, name: example.file };
  }
  if ('source' in program) return { kind: 'source', source: program.source, name: program.name ?? 'program.s' };
  if ('base64' in program) return { kind: 'file', bytes: Uint8Array.from(atob(program.base64), (c) => c.charCodeAt(0)), name: program.name };
  const url = new URL(program.url, base).href;
  const response = await fetcher(url);
  const bytes = response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  const problem = missing(response, bytes && new TextDecoder().decode(bytes.subarray(0, 64)));
  if (problem) throw new Error(`the program ${url} ${problem}`);
  const name = program.name ?? (decodeURIComponent(new URL(url).pathname.split('/').pop() || 'program.elf'));
  return { kind: 'file', bytes: bytes!, name };
}
