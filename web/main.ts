/**
 * The full app page: the lockstep machine with its editor. The lesson the URL names opens
 * beside it (web/lessons.ts); otherwise a share link (`#scenario=`, the embed code's
 * encoding) or `?scenario=URL` opens that scenario, and a new `#scenario=` later opens in
 * place; otherwise the page starts on the counting example.
 */
import './components/lockstep-machine.ts';
import type { LockstepMachine } from './components/lockstep-machine.ts';
import { exampleById } from './state/examples.ts';
import { registerOffline } from './offline.ts';
import { mountLessons } from './lessons.ts';
import { openLink } from './open-link.ts';

const machine = document.querySelector('lockstep-machine') as LockstepMachine;
await machine.updateComplete;
const lesson = await mountLessons(machine, { page: 'app' });
if (lesson !== 'lesson' && !(await openLink(machine, location.href))) {
  const example = exampleById('count')!;
  await machine.controller.configure({ topology: 'pair-spare' });
  await machine.loadSource(example.source, example.file);
}
window.addEventListener('hashchange', () => void openLink(machine, location.href));
document.documentElement.dataset.ready = lesson === 'error' ? 'error' : 'true';
registerOffline();
