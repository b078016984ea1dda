/**
 * Where the embed page's scenario comes from: `#scenario=<base64url JSON>` inline, or
 * `?scenario=URL` fetched (relative to the page). The hash wins when both are given. The
 * scenario's program is resolved here too: a shipped example, inline source, or a file
 * fetched relative to the scenario's own URL.
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

type Fetch = (url: string) => Promise<{ ok: boolean; status: number; text(): Promise<string>; arrayBuffer(): Promise<ArrayBuffer> }>;

/** The scenario at `location`, and the URL its relative program URL resolves against. */
export async function loadScenario(location: ScenarioLocation, pageUrl: string, fetcher: Fetch): Promise<ScenarioResult & { base?: string }> {
  if (location.kind === 'inline') return { ...decodeScenarioHash(location.encoded), base: pageUrl };
  if (location.kind === 'none') return { ok: false, error: 'no scenario given' };
  let url: string;
  try {
    url = new URL(location.url, pageUrl).href;
  } catch {
    return { ok: false, error: `?scenario=${location.url} is not a URL` };
  }
  let text: string;
  try {
    const response = await fetcher(url);
    if (!response.ok) return { ok: false, error: `the scenario ${url} could not be loaded: HTTP ${response.status}` };
    text = await response.text();
  } catch (error) {
    return { ok: false, error: `the scenario ${url} could not be loaded: ${(error as Error).message}` };
  }
  const result = parseScenario(text);
  return result.ok ? { ...result, base: url } : { ok: false, error: `${url}: ${result.error}` };
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
  if (!response.ok) throw new Error(`the program ${url} could not be loaded: HTTP ${response.status}`);
  const name = program.name ?? (decodeURIComponent(new URL(url).pathname.split('/').pop() || 'program.elf'));
  return { kind: 'file', bytes: new Uint8Array(await response.arrayBuffer()), name };
}
