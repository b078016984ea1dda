/**
 * Lessons on a page, for index.html and embed.html alike: the lesson the URL
 * names (`?lesson=URL` or `#lesson=<base64url JSON>`, `step=N`) played beside the machine,
 * or on the app page without one, the course the site ships listed above it. The player
 * follows the machine's theme; the large-text mode (for projectors) enlarges both and is
 * remembered by the browser.
 */
import type { LockstepMachine } from './components/lockstep-machine.ts';
import './components/lesson-player.ts';
import './components/lesson-list.ts';
import type { LessonPlayer } from './components/lesson-player.ts';
import type { LessonList } from './components/lesson-list.ts';
import { browserStore, lessonLocation, loadLesson, ProgressStore, type CatalogEntry, type LessonCompleteMessage, type LessonProgressMessage } from './state/lesson.ts';

export interface LessonPageOptions {
  /** The app page lists the course and links back to it; an embed plays the one lesson. */
  page: 'app' | 'embed';
  /** Gets each `lesson-progress` and `lesson-complete` message (the embed's postMessage bridge). */
  onMessage?(message: LessonProgressMessage | LessonCompleteMessage): void;
}

/** What the page shows: a lesson; a lesson that could not be loaded (its error in the player); or none asked for. */
export type LessonMount = 'lesson' | 'error' | 'none';

const LARGE_TEXT_KEY = 'lockstep-large-text';
/** Sizes of the large-text mode, for the machine (the player's own are in its styles). */
const LARGE_TEXT = { '--ls-size': '24px', '--ls-code-size': '22px' };

function storedLargeText(): boolean {
  try {
    return localStorage.getItem(LARGE_TEXT_KEY) === 'on';
  } catch {
    return false;
  }
}

function storeLargeText(on: boolean): void {
  try {
    if (on) localStorage.setItem(LARGE_TEXT_KEY, 'on');
    else localStorage.removeItem(LARGE_TEXT_KEY);
  } catch {
    // storage denied: the mode lasts the visit
  }
}

function setLargeText(machine: LockstepMachine, player: LessonPlayer, on: boolean): void {
  player.largeText = on;
  for (const [name, value] of Object.entries(LARGE_TEXT)) {
    if (on) machine.style.setProperty(name, value);
    else machine.style.removeProperty(name);
  }
}

/** Keeps `element`'s theme the machine's. */
function followTheme(machine: LockstepMachine, element: { theme: string | undefined }): void {
  element.theme = machine.theme;
  new MutationObserver(() => { element.theme = machine.theme; }).observe(machine, { attributes: true, attributeFilter: ['theme'] });
}

/**
 * Puts the lessons on the page beside `machine` (inside the same parent) and, when the URL
 * names a lesson, loads it and sets up its step in the machine. Resolves once that is done.
 */
export async function mountLessons(machine: LockstepMachine, options: LessonPageOptions): Promise<LessonMount> {
  const store = new ProgressStore(browserStore());
  const where = lessonLocation(location.search, location.hash);
  const parent = machine.parentElement!;
  if (where.kind === 'none') {
    if (options.page === 'app') void showCourse(machine, store);
    return 'none';
  }
  const player = document.createElement('ls-lesson-player') as LessonPlayer;
  followTheme(machine, player);
  parent.insertBefore(player, machine);
  parent.classList.add('with-lesson');
  const loaded = await loadLesson(where, location.href, (url) => fetch(url));
  if (!loaded.ok) {
    const error = document.createElement('section');
    error.id = 'lesson-error';
    error.setAttribute('role', 'alert');
    error.innerHTML = '<h2>This lesson cannot be used</h2><pre></pre><p>The machine beside it runs the default example. The lesson format is described by <a href="lesson.schema.json">lesson.schema.json</a>.</p>';
    error.querySelector('pre')!.textContent = loaded.error;
    player.replaceWith(error);
    return 'error';
  }
  Object.assign(player, {
    lesson: loaded.lesson, machine, location: where, base: loaded.base ?? location.href, store,
    allLessons: options.page === 'app' ? './' : undefined,
  });
  setLargeText(machine, player, storedLargeText());
  player.addEventListener('large-text', (e) => {
    const on = (e as CustomEvent<boolean>).detail;
    setLargeText(machine, player, on);
    storeLargeText(on);
  });
  for (const type of ['lesson-progress', 'lesson-complete']) {
    player.addEventListener(type, (e) => options.onMessage?.((e as CustomEvent<LessonProgressMessage | LessonCompleteMessage>).detail));
  }
  const step = where.step !== undefined ? Math.min(where.step, loaded.lesson.steps.length) - 1 : undefined;
  await player.begin(step);
  return 'lesson';
}

/** The course the site ships, listed above the machine. */
async function showCourse(machine: LockstepMachine, store: ProgressStore): Promise<void> {
  const list = document.createElement('ls-lesson-list') as LessonList;
  list.store = store;
  followTheme(machine, list);
  machine.parentElement!.insertBefore(list, machine);
  try {
    const response = await fetch(new URL('lessons/index.json', document.baseURI));
    if (!response.ok) throw new Error(`lessons/index.json: HTTP ${response.status}`);
    list.entries = await response.json() as CatalogEntry[];
  } catch (error) {
    list.error = error instanceof Error ? error.message : String(error);
  }
}
