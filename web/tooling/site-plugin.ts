/**
 * Build-time pieces of the static site (a Vite plugin, used by vite.config.ts):
 * - `scenario.schema.json` and `lesson.schema.json`, the published JSON Schemas, generated
 *   from the zod types;
 * - `precache.json`, the list of built files the service worker (public/sw.js) caches so
 *   the site keeps working offline once loaded, with a version that changes with them.
 * In the dev server the schemas are served from memory at the same paths.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { scenarioJsonSchema } from '../../src/scenario/scenario.ts';
import { lessonJsonSchema } from '../../src/lessons/lesson.ts';

/** Each published schema's file name and its generator. */
const SCHEMAS: Record<string, () => Record<string, unknown>> = {
  'scenario.schema.json': scenarioJsonSchema,
  'lesson.schema.json': lessonJsonSchema,
};

export function sitePlugin(): Plugin {
  const schema = (file: string) => `${JSON.stringify(SCHEMAS[file](), null, 2)}\n`;
  return {
    name: 'lockstep-site',
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = Object.keys(SCHEMAS).find((name) => req.url?.split('?')[0]?.endsWith(`/${name}`));
        if (file) {
          res.setHeader('Content-Type', 'application/json');
          res.end(schema(file));
          return;
        }
        next();
      });
    },
    generateBundle(_options, bundle) {
      for (const file of Object.keys(SCHEMAS)) this.emitFile({ type: 'asset', fileName: file, source: schema(file) });
      const files = [...new Set([...Object.keys(bundle).filter((f) => !f.endsWith('.map')), ...Object.keys(SCHEMAS), 'index.html', 'embed.html'])].sort();
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
