/**
 * The postMessage API of embed.html (README, "Embedding in a course page"). A host page sends
 * requests `{ type: 'lockstep:<verb>', id?, ... }`; the embed answers each with
 * `{ type: 'lockstep:result', id, ok, result | error }` and, once subscribed, pushes
 * `{ type: 'lockstep:event', entry, event }` for every machine event. On load it posts
 * `{ type: 'lockstep:ready', version }` to every allowed origin, and while it plays a lesson
 * its progress (`lockstep:lesson-progress`, `lockstep:lesson-complete`: web/state/lesson.ts).
 *
 * Messages from origins outside the allow-list are ignored without an answer. The list comes
 * from the page's URL (`?origins=https://a.example,https://b.example`); without one, only
 * the embed's own origin may drive it. `*` allows any origin (for local experiments).
 */
import { z } from 'zod';
import { ScenarioSchema } from '../../src/scenario/scenario.ts';

export const PROTOCOL_VERSION = 1;

const Id = z.union([z.string().max(200), z.number()]).optional();

export const RequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('lockstep:load'), id: Id, scenario: z.unknown() }),
  z.object({ type: z.literal('lockstep:run'), id: Id }),
  z.object({ type: z.literal('lockstep:pause'), id: Id }),
  z.object({ type: z.literal('lockstep:step'), id: Id, n: z.number().int().min(1).max(1e9).default(1) }),
  z.object({ type: z.literal('lockstep:reset'), id: Id }),
  z.object({ type: z.literal('lockstep:set-speed'), id: Id, speed: z.union([z.number().min(1), z.literal('max')]) }),
  z.object({ type: z.literal('lockstep:inject'), id: Id, fault: z.string().max(200) }),
  z.object({
    type: z.literal('lockstep:replace'), id: Id,
    module: z.number().int().nonnegative().optional(), board: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('lockstep:get-state'), id: Id }),
  z.object({ type: z.literal('lockstep:subscribe'), id: Id }),
  z.object({ type: z.literal('lockstep:unsubscribe'), id: Id }),
]);

export type EmbedRequest = z.output<typeof RequestSchema>;
export type RequestType = EmbedRequest['type'];

export type ParsedRequest =
  | { ok: true; request: EmbedRequest }
  | { ok: false; id?: string | number; error: string }
  /** Not a lockstep message at all (other scripts' messages): ignore silently. */
  | { ok: false; ignore: true };

export function parseRequest(data: unknown): ParsedRequest {
  if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return { ok: false, ignore: true };
  const type = (data as { type: string }).type;
  if (!type.startsWith('lockstep:')) return { ok: false, ignore: true };
  const rawId = (data as { id?: unknown }).id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : undefined;
  const parsed = RequestSchema.safeParse(data);
  if (!parsed.success) {
    const known = RequestSchema.options.map((o) => o.shape.type.value);
    if (!known.includes(type as RequestType)) return { ok: false, id, error: `unknown message type '${type}' (known: ${known.join(', ')})` };
    return { ok: false, id, error: parsed.error.issues.map((i) => `${i.path.join('.') || type}: ${i.message}`).join('; ') };
  }
  if (parsed.data.type === 'lockstep:replace' && (parsed.data.module === undefined) === (parsed.data.board === undefined)) {
    return { ok: false, id, error: 'lockstep:replace: give module or board (one of them)' };
  }
  return { ok: true, request: parsed.data };
}

/** The origins allowed to drive the embed: `origins` from the URL, else the embed's own. */
export function parseAllowList(param: string | null, selfOrigin: string): Set<string> {
  if (param === null || param.trim() === '') return new Set([selfOrigin]);
  const origins = new Set<string>();
  for (const part of param.split(/[\s,]+/).filter((p) => p !== '')) {
    if (part === '*') {
      origins.add('*');
      continue;
    }
    try {
      const url = new URL(part);
      if (url.origin !== 'null') origins.add(url.origin);
    } catch {
      // not an origin: ignored (an allow-list never widens on a typo)
    }
  }
  return origins;
}

export function isAllowed(origin: string, allow: ReadonlySet<string>): boolean {
  return allow.has('*') || (origin !== 'null' && allow.has(origin));
}

export type ReplyBody =
  | { id?: string | number; ok: true; result: unknown }
  | { id?: string | number; ok: false; error: string };
export type Reply = ReplyBody & { type: 'lockstep:result' };

export { ScenarioSchema };
