/**
 * Opening the scenario a page's URL names in the full page: a share link's `#scenario=`
 * (the embed code's encoding), or `?scenario=URL`, as embed.html reads them.
 */
import type { LockstepMachine } from './components/lockstep-machine.ts';
import { loadScenario, scenarioLocation, scenarioProgram } from './state/scenario-source.ts';

/**
 * Opens in `machine` the scenario `href` names, with the scenario's theme. Returns false when
 * it names none, or when it does not open: then the reason shows above the machine.
 */
export async function openLink(machine: LockstepMachine, href: string): Promise<boolean> {
  const url = new URL(href);
  const where = scenarioLocation(url.search, url.hash);
  if (where.kind === 'none') return false;
  try {
    const loaded = await loadScenario(where, href, (u) => fetch(u));
    if (!loaded.ok) throw new Error(loaded.error);
    const program = await scenarioProgram(loaded.scenario, loaded.base ?? href, (u) => fetch(u));
    if (loaded.scenario.settings.theme !== 'auto') machine.theme = loaded.scenario.settings.theme;
    machine.scenarioError = undefined;
    await machine.applyScenario(loaded.scenario, program);
    return true;
  } catch (error) {
    machine.scenarioError = error instanceof Error ? error.message : String(error);
    return false;
  }
}
