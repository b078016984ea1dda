/**
 * The embed page's end of the postMessage API (web/state/embed-protocol.ts has the messages;
 * README "Embedding in a course page" documents them). Requests from origins outside the
 * allow-list are dropped without an answer.
 */
import type { LockstepMachine } from './components/lockstep-machine.ts';
import { parseRequest, isAllowed, PROTOCOL_VERSION, type EmbedRequest, type ReplyBody } from './state/embed-protocol.ts';
import { validateScenario } from '../src/scenario/scenario.ts';
import { scenarioProgram } from './state/scenario-source.ts';
import type { MachineEvent } from '../src/machine/events.ts';
import type { TimelineEntry } from './state/timeline.ts';
import { errorText } from './state/controller.ts';

interface Subscriber {
  target: MessageEventSource;
  origin: string;
}

export function machineState(element: LockstepMachine) {
  const s = element.controller.state;
  const view = s.view;
  return {
    instret: view?.instret ?? 0,
    running: view?.running ?? false,
    halt: view?.halt ?? null,
    topology: s.settings.topology,
    compare: s.settings.compare,
    program: s.program?.name ?? null,
    modules: (view?.modules ?? []).map((m) => ({ id: m.id, board: m.board, state: m.state, dead: m.dead, pc: m.pc, faults: m.faults, corrected: m.corrected })),
    console: s.console,
    timeline: s.timeline.map((e) => ({ stage: e.stage, instret: e.instret, title: e.title, text: e.text, report: e.report ?? null })),
    verdict: s.verdict ?? null,
    expectation: s.expectation ?? null,
    workload: view?.workload ? { settings: view.workload.settings, progress: view.workload.progress, ledger: view.workload.ledger } : null,
    failover: view?.failover ? { ...view.failover, events: s.systemEvents } : null,
  };
}

/** The origin of the page that frames this one, when the browser tells it. */
function parentOrigin(): string | undefined {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0) return ancestors[0];
  try {
    return document.referrer ? new URL(document.referrer).origin : undefined;
  } catch {
    return undefined;
  }
}

export class EmbedBridge {
  private subscribers: Subscriber[] = [];

  constructor(private readonly element: LockstepMachine, private readonly allow: ReadonlySet<string>, private readonly base: string) {
    window.addEventListener('message', (e) => void this.onMessage(e));
    element.controller.addEventListener('events', (e) => {
      const { events, entries } = (e as CustomEvent<{ events: MachineEvent[]; entries: TimelineEntry[] }>).detail;
      for (const s of this.subscribers) {
        for (const event of events) this.post(s.target, s.origin, { type: 'lockstep:event', event });
        for (const entry of entries) {
          this.post(s.target, s.origin, { type: 'lockstep:timeline', entry: { stage: entry.stage, instret: entry.instret, title: entry.title, text: entry.text } });
        }
      }
    });
  }

  /**
   * Tells the host page that the embed is ready for requests, if its origin is allowed. A
   * page outside the allow-list gets nothing, and nothing is logged: the ready message goes
   * only to the parent's own origin when the browser says what it is (ancestorOrigins, else
   * the referrer), and to each allowed origin only when it does not.
   */
  announceReady(): void {
    this.toHost({ type: 'lockstep:ready', version: PROTOCOL_VERSION });
  }

  /**
   * Pushes a message that is the course page's to record (a lesson's progress and its
   * completion) to the host page, by the ready message's rule, and to every other subscriber.
   */
  push(message: { type: string }): void {
    this.toHost(message);
    for (const s of this.subscribers) if (s.target !== window.parent) this.post(s.target, s.origin, message);
  }

  /** Posts to the page that frames this one, only at an allowed origin (see announceReady). */
  private toHost(message: unknown): void {
    if (window.parent === window) return;
    const parent = parentOrigin();
    if (parent === undefined) {
      for (const origin of this.allow) this.post(window.parent, origin, message);
    } else if (isAllowed(parent, this.allow)) {
      this.post(window.parent, parent, message);
    }
  }

  private post(target: MessageEventSource, origin: string, message: unknown): void {
    try {
      (target as Window).postMessage(message, { targetOrigin: origin });
    } catch {
      // the host went away
    }
  }

  private async onMessage(e: MessageEvent): Promise<void> {
    if (!isAllowed(e.origin, this.allow) || !e.source) return;
    const parsed = parseRequest(e.data);
    if (!parsed.ok && 'ignore' in parsed) return;
    const reply = (r: ReplyBody) => this.post(e.source!, e.origin, { type: 'lockstep:result', ...r });
    if (!parsed.ok) {
      reply({ id: parsed.id, ok: false, error: parsed.error });
      return;
    }
    const request = parsed.request;
    try {
      const result = await this.handle(request, { target: e.source, origin: e.origin });
      reply({ id: request.id, ok: true, result: result ?? null });
    } catch (error) {
      reply({ id: request.id, ok: false, error: errorText(error) });
    }
  }

  private async handle(request: EmbedRequest, from: Subscriber): Promise<unknown> {
    const c = this.element.controller;
    switch (request.type) {
      case 'lockstep:load': {
        const checked = validateScenario(request.scenario);
        if (!checked.ok) throw new Error(checked.error);
        const program = await scenarioProgram(checked.scenario, this.base, (url) => fetch(url));
        this.element.heading = checked.scenario.title ?? 'Lockstep Lab';
        this.element.description = checked.scenario.description;
        this.element.availability = checked.scenario.availability;
        await c.applyScenario(checked.scenario, program);
        return machineState(this.element);
      }
      case 'lockstep:run': await c.run(); return undefined;
      case 'lockstep:pause': await c.pause(); return machineState(this.element);
      case 'lockstep:step': await c.step(request.n); return machineState(this.element);
      case 'lockstep:reset': await c.reset(); return machineState(this.element);
      case 'lockstep:set-speed': await c.setSpeed(request.speed === 'max' ? Infinity : request.speed); return undefined;
      case 'lockstep:inject': await c.inject(request.fault); return undefined;
      case 'lockstep:replace':
        await c.replace(request.board !== undefined ? { board: request.board } : { module: request.module! });
        return undefined;
      case 'lockstep:get-state': return machineState(this.element);
      case 'lockstep:subscribe':
        if (!this.subscribers.some((s) => s.target === from.target && s.origin === from.origin)) this.subscribers.push(from);
        return undefined;
      case 'lockstep:unsubscribe':
        this.subscribers = this.subscribers.filter((s) => !(s.target === from.target && s.origin === from.origin));
        return undefined;
    }
  }
}
