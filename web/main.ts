/** The full app page: the lockstep machine with its editor, starting on the counting example — or on the lesson the URL names, beside it (web/lessons.ts). */
import './components/lockstep-machine.ts';
import type { LockstepMachine } from './components/lockstep-machine.ts';
import { exampleById } from './state/examples.ts';
import { registerOffline } from './offline.ts';
import { mountLessons } from './lessons.ts';

const machine = document.querySelector('lockstep-machine') as LockstepMachine;
await machine.updateComplete;
const lesson = await mountLessons(machine, { page: 'app' });
if (lesson !== 'lesson') {
  const example = exampleById('count')!;
  await machine.controller.configure({ topology: 'pair-spare' });
  await machine.loadSource(example.source, example.file);
}
document.documentElement.dataset.ready = lesson === 'error' ? 'error' : 'true';
registerOffline();
