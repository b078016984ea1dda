/**
 * "Copy embed code": an iframe snippet that opens embed.html with the current program,
 * machine and fault plan inline (`#scenario=<base64url JSON>`).
 */
import { encodeScenarioHash, type ScenarioInput } from '../../src/scenario/scenario.ts';

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The embed page's URL for `scenario`; `embedPage` is the absolute URL of embed.html. */
export function embedUrl(embedPage: string, scenario: ScenarioInput, origins?: string[]): string {
  const url = new URL(embedPage);
  if (origins && origins.length > 0) url.searchParams.set('origins', origins.join(','));
  url.hash = `scenario=${encodeScenarioHash(scenario)}`;
  return url.href;
}

export function embedSnippet(embedPage: string, scenario: ScenarioInput, options: { height?: number; origins?: string[] } = {}): string {
  const title = `Lockstep Lab: ${scenario.title ?? 'a lockstep machine'}`;
  const src = embedUrl(embedPage, scenario, options.origins);
  return `<iframe src="${escapeAttribute(src)}" title="${escapeAttribute(title)}" ` +
    `width="100%" height="${options.height ?? 720}" style="border:0" loading="lazy"></iframe>`;
}
