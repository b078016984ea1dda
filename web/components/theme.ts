/**
 * Design tokens for both themes, as custom properties on the root element's host. They
 * inherit into every child component's shadow root. Sizes are for a projector: 18 px body
 * text, and every colour pair passes WCAG AA contrast. State is never shown by colour alone:
 * lights carry a shape and a word, differences a symbol.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    --ls-font: system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif;
    --ls-mono: ui-monospace, 'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, monospace;
    --ls-size: 18px;
    --ls-code-size: 17px;
    --ls-bg: #f3f5f8; --ls-surface: #ffffff; --ls-surface-2: #e9edf2; --ls-text: #101418; --ls-muted: #47505c;
    --ls-border: #b9c0ca; --ls-accent: #0a58a8; --ls-accent-text: #ffffff; --ls-focus: #1f6feb;
    --ls-good: #1a7f37; --ls-bad: #c62828; --ls-warn: #c77700;
    --ls-good-text: #11602a; --ls-bad-text: #a4201b; --ls-warn-text: #7d4a00;
    --ls-good-bg: #dcf5e3; --ls-bad-bg: #fde2e1; --ls-warn-bg: #fff0cc;
    --ls-diff-bg: #ffd9d6; --ls-current: #fff3b0; --ls-active-line: #eef3fb; --ls-selection: #b8d4f5;
    --ls-syntax-comment: #5b6472; --ls-syntax-keyword: #8a1bb0; --ls-syntax-directive: #9a4a00;
    --ls-syntax-label: #0a58a8; --ls-syntax-number: #0b6e4f; --ls-syntax-string: #a0301c; --ls-syntax-register: #1f5f99;
    color-scheme: light;
  }
  :host([theme='dark']) {
    --ls-bg: #0d1117; --ls-surface: #161b22; --ls-surface-2: #21262d; --ls-text: #f0f3f6; --ls-muted: #b0bac6;
    --ls-border: #444c56; --ls-accent: #4493f8; --ls-accent-text: #0d1117; --ls-focus: #79c0ff;
    --ls-good: #3fb950; --ls-bad: #f85149; --ls-warn: #e3b341;
    --ls-good-text: #56d364; --ls-bad-text: #ff8e86; --ls-warn-text: #f2cc60;
    --ls-good-bg: #12351f; --ls-bad-bg: #4a1619; --ls-warn-bg: #3d2e05;
    --ls-diff-bg: #5a1d22; --ls-current: #3d3510; --ls-active-line: #1c2430; --ls-selection: #264f78;
    --ls-syntax-comment: #9ba7b4; --ls-syntax-keyword: #d2a8ff; --ls-syntax-directive: #ffa657;
    --ls-syntax-label: #79c0ff; --ls-syntax-number: #7ee787; --ls-syntax-string: #ffa198; --ls-syntax-register: #a5d6ff;
    color-scheme: dark;
  }
`;

/** Controls and panels every component shares. */
export const shared = css`
  :host { font-family: var(--ls-font); color: var(--ls-text); }
  *, *::before, *::after { box-sizing: border-box; }
  h2 { font-size: 1.05em; margin: 0 0 0.5rem; letter-spacing: 0.01em; }
  button, select, input {
    font: inherit; font-size: 0.95em; color: var(--ls-text); background: var(--ls-surface-2);
    border: 1px solid var(--ls-border); border-radius: 6px; padding: 0.3rem 0.7rem; min-height: 2.2rem;
  }
  button { cursor: pointer; }
  button:hover:not(:disabled) { border-color: var(--ls-accent); }
  button:disabled { opacity: 0.55; cursor: not-allowed; }
  button.primary { background: var(--ls-accent); color: var(--ls-accent-text); border-color: var(--ls-accent); font-weight: 600; }
  button.danger { border-color: var(--ls-bad); color: var(--ls-bad-text); background: var(--ls-surface); font-weight: 600; }
  :focus-visible { outline: 3px solid var(--ls-focus); outline-offset: 2px; }
  .mono { font-family: var(--ls-mono); font-size: var(--ls-code-size); }
  .muted { color: var(--ls-muted); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  table { border-collapse: collapse; }
  .diff-mark { color: var(--ls-bad-text); font-weight: 700; }
`;
