/**
 * Build-time pieces of the static site (a Vite plugin, used by vite.config.ts):
 * - `scenario.schema.json` and `lesson.schema.json`, the published JSON Schemas, generated
 *   from the zod types;
 * - the course: `lessons/*.json` and the programs they name (`lessons/programs/`), each
 *   lesson validated (one that does not fails the build, with its problems), and
 *   `lessons/index.json`, the list the start page shows (web/state/lesson.ts CatalogEntry);
 * - `precache.json`, the list of built files the service worker (public/sw.js) caches so
 *   the site keeps working offline once loaded, with a version that changes with them.
 * In the dev server the schemas and the course are served from memory at the same paths.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { scenarioJsonSchema } from '../../src/scenario/scenario.ts';
import { lessonJsonSchema, parseLesson } from '../../src/lessons/lesson.ts';
import type { CatalogEntry } from '../state/lesson.ts';

/** Each published schema's file name and its generator. */
const SCHEMAS: Record<string, () => Record<string, unknown>> = {
  'scenario.schema.json': scenarioJsonSchema,
  'lesson.schema.json': lessonJsonSchema,
};

const LESSONS = fileURLToPath(new URL('../../lessons/', import.meta.url));

/**
 * The course's files by their path in the site (`lessons/…`): every lesson, validated, in
 * file-name order, its programs, and the catalog. Throws, naming the file and its
 * problems, when a lesson does not validate.
 */
function courseFiles(): Map<string, string> {
  const files = new Map<string, string>();
  const catalog: CatalogEntry[] = [];
  for (const name of readdirSync(LESSONS).filter((f) => f.endsWith('.json')).sort()) {
    const text = readFileSync(LESSONS + name, 'utf8');
    const parsed = parseLesson(text);
    if (!parsed.ok) throw new Error(`lessons/${name}: ${parsed.error}`);
    const { id, title, summary, minutes, steps } = parsed.lesson;
    files.set(`lessons/${name}`, text);
    catalog.push({ file: `lessons/${name}`, id, title, summary, minutes, steps: steps.length });
  }
  for (const name of readdirSync(LESSONS + 'programs').sort()) files.set(`lessons/programs/${name}`, readFileSync(`${LESSONS}programs/${name}`, 'utf8'));
  files.set('lessons/index.json', `${JSON.stringify(catalog, null, 2)}\n`);
  return files;
}

export function sitePlugin(): Plugin {
  const schema = (file: string) => `${JSON.stringify(SCHEMAS[file](), null, 2)}\n`;
  return {
    name: 'lockstep-site',
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = req.url?.split('?')[0] ?? '';
        const file = Object.keys(SCHEMAS).find((name) => path.endsWith(`/${name}`));
        if (file) {
          res.setHeader('Content-Type', 'application/json');
          res.end(schema(file));
          return;
        }
        const course = path.startsWith('/lessons/') ? courseFiles().get(decodeURIComponent(path.slice(1))) : undefined;
        if (course !== undefined) {
          res.setHeader('Content-Type', path.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8');
          res.end(course);
          return;
        }
        next();
      });
    },
    generateBundle(_options, bundle) {
      for (const file of Object.keys(SCHEMAS)) this.emitFile({ type: 'asset', fileName: file, source: schema(file) });
      const course = courseFiles();
      for (const [fileName, source] of course) this.emitFile({ type: 'asset', fileName, source });
      const files = [...new Set([...Object.keys(bundle).filter((f) => !f.endsWith('.map')), ...Object.keys(SCHEMAS), ...course.keys(), 'index.html', 'embed.html'])].sort();
      const hash = createHash('sha256');
      for (const file of files) {
        const item = bundle[file];
        hash.update(file);
        if (item?.type === 'asset') hash.update(typeof item.source === 'string' ? item.source : Buffer.from(item.source));
        else if (item?.type === 'chunk') hash.update(item.code);
      }
      this.emitFile({
        type: 'asset', fileName: 'precache.json',
        source: `${JSON.stringify({ version: hash.digest('hex').slice(0, 16), files }, null, 2)}\n`,
      });
    },
  };
}
