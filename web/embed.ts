/**
 * embed.html: a compact lockstep machine configured by its URL (`?scenario=URL` or
 * `#scenario=<base64url JSON>`, `?origins=` for the postMessage allow-list, `?theme=`), or
 * a lesson played beside it (`?lesson=URL` or `#lesson=…`, web/lessons.ts), whose progress
 * goes to the course page through the bridge. An invalid scenario or lesson shows its error
 * in the page, never a blank frame.
 */
import './components/lockstep-machine.ts';
import type { LockstepMachine } from './components/lockstep-machine.ts';
import { scenarioLocation, loadScenario, scenarioProgram } from './state/scenario-source.ts';
import { parseAllowList } from './state/embed-protocol.ts';
import { EmbedBridge } from './embed-bridge.ts';
import { exampleById } from './state/examples.ts';
import { registerOffline } from './offline.ts';
import { mountLessons } from './lessons.ts';

const machine = document.querySelector('lockstep-machine') as LockstepMachine;
const errorBox = document.querySelector('#scenario-error') as HTMLElement;
const params = new URLSearchParams(location.search);
const theme = params.get('theme');
if (theme === 'dark' || theme === 'light') machine.theme = theme;

function showError(text: string): void {
  errorBox.hidden = false;
  (errorBox.querySelector('pre') as HTMLElement).textContent = text;
  document.documentElement.dataset.ready = 'error';
}

const bridge = new EmbedBridge(machine, parseAllowList(params.get('origins'), location.origin), location.href);
await machine.updateComplete;
const where = scenarioLocation(location.search, location.hash);
const lesson = await mountLessons(machine, { page: 'embed', onMessage: (message) => bridge.push(message) });
try {
  if (lesson === 'error' || (lesson === 'none' && where.kind === 'none')) {
    await machine.controller.loadSource(exampleById('count')!.source, 'count.s');
  } else if (lesson === 'none') {
    const loaded = await loadScenario(where, location.href, (url) => fetch(url));
    if (!loaded.ok) throw new Error(loaded.error);
    const scenario = loaded.scenario;
    if (scenario.settings.theme !== 'auto' && !theme) machine.theme = scenario.settings.theme;
    const program = await scenarioProgram(scenario, loaded.base ?? location.href, (url) => fetch(url));
    await machine.applyScenario(scenario, program);
  }
  document.documentElement.dataset.ready = lesson === 'error' ? 'error' : 'true';
} catch (error) {
  showError(error instanceof Error ? error.message : String(error));
  await machine.controller.loadSource(exampleById('count')!.source, 'count.s').catch(() => undefined);
}
bridge.announceReady();
registerOffline();
