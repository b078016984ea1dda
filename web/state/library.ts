/**
 * Programs the reader keeps in this browser: named, listed newest first,
 * deletable, and still there after a reload. Each is one localStorage entry,
 * `lockstep-lab/program/<name>` → JSON { source, savedAt } (savedAt: ms since 1970). Storage
 * can be denied (an embed on another site with third-party storage blocked) or full: then
 * keeping a program fails with StorageError, which says so.
 */
export interface KeptProgram {
  name: string;
  source: string;
  savedAt: number;
}

export class StorageError extends Error {
  override name = 'StorageError';
}

const PREFIX = 'lockstep-lab/program/';
const MAX_NAME = 120;

/** localStorage, or undefined where the browser denies it. */
function browserStorage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

export class ProgramLibrary {
  constructor(private readonly storage: Storage | undefined = browserStorage()) {}

  /** Whether programs can be kept here at all. */
  get available(): boolean { return this.storage !== undefined; }

  /** Every kept program, the newest first (then by name); entries that do not read as one are skipped. */
  list(): KeptProgram[] {
    const storage = this.storage;
    if (!storage) return [];
    const kept: KeptProgram[] = [];
    for (let k = 0; k < storage.length; k++) {
      const key = storage.key(k);
      if (key?.startsWith(PREFIX)) {
        const program = this.get(key.slice(PREFIX.length));
        if (program) kept.push(program);
      }
    }
    return kept.sort((a, b) => b.savedAt - a.savedAt || a.name.localeCompare(b.name));
  }

  get(name: string): KeptProgram | undefined {
    try {
      const value: unknown = JSON.parse(this.storage?.getItem(PREFIX + name) ?? 'null');
      if (value && typeof value === 'object' && 'source' in value && 'savedAt' in value
        && typeof value.source === 'string' && typeof value.savedAt === 'number') {
        return { name, source: value.source, savedAt: value.savedAt };
      }
    } catch {
      // not JSON: not one of ours
    }
    return undefined;
  }

  /** Keeps `source` under `name` (replacing a program of that name); throws StorageError. */
  save(name: string, source: string, savedAt = Date.now()): KeptProgram {
    const clean = name.trim();
    if (clean === '' || clean.length > MAX_NAME) throw new StorageError(`a kept program needs a name of 1 to ${MAX_NAME} characters`);
    if (!this.storage) throw new StorageError('this browser does not let the page keep programs here (storage is blocked): download the text instead');
    try {
      this.storage.setItem(PREFIX + clean, JSON.stringify({ source, savedAt }));
    } catch (error) {
      throw new StorageError(`the browser refused to keep ${clean} (${(error as Error).name}: its storage for this site is full?): delete a kept program and try again`);
    }
    return { name: clean, source, savedAt };
  }

  remove(name: string): void {
    this.storage?.removeItem(PREFIX + name);
  }
}
