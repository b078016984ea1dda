/**
 * Build-time pieces of the static site (a Vite plugin, used by vite.config.ts):
 * - `scenario.schema.json`, the published JSON Schema, generated from the zod type;
 * - `precache.json`, the list of built files the service worker (public/sw.js) caches so
 *   the site keeps working offline once loaded, with a version that changes with them.
 * In the dev server the schema is served from memory at the same path.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { scenarioJsonSchema } from '../../src/scenario/scenario.ts';

const SCHEMA_FILE = 'scenario.schema.json';

export function sitePlugin(): Plugin {
  const schema = () => `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
  return {
    name: 'lockstep-site',
    enforce: 'post',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split('?')[0]?.endsWith(`/${SCHEMA_FILE}`)) {
          res.setHeader('Content-Type', 'application/json');
          res.end(schema());
          return;
        }
        next();
      });
    },
    generateBundle(_options, bundle) {
      this.emitFile({ type: 'asset', fileName: SCHEMA_FILE, source: schema() });
      const files = [...new Set([...Object.keys(bundle).filter((f) => !f.endsWith('.map')), SCHEMA_FILE, 'index.html', 'embed.html'])].sort();
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
