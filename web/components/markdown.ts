/**
 * A lesson's Markdown as HTML that can do nothing but be read: rendered by marked (GitHub's
 * dialect), then sanitised by DOMPurify, since a lesson may come from any URL. What comes
 * out has no script, no event handler attribute, no `javascript:` or other active URL, no
 * form, style or frame; links open in a new tab (in an embed, the course page stays).
 */
import { Marked } from 'marked';
import DOMPurify from 'dompurify';

const marked = new Marked({ gfm: true, async: false });

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const CONFIG = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'select', 'textarea', 'iframe', 'object', 'embed', 'dialog'],
  FORBID_ATTR: ['style', 'id', 'name', 'tabindex', 'autofocus'],
};

/** `text` (Markdown) as sanitised HTML: blocks, or with `inline` a run of text for inside a line (a choice, a label). */
export function renderMarkdown(text: string, inline = false): string {
  const html = inline ? marked.parseInline(text) as string : marked.parse(text) as string;
  return purify.sanitize(html, CONFIG);
}
