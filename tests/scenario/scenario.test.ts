/** Scenario files: validation with readable errors, defaults, the JSON Schema, and the #scenario= encoding. */
import { describe, expect, it } from 'vitest';
import {
  validateScenario, parseScenario, scenarioJsonSchema, encodeBase64Url, decodeBase64Url,
  encodeScenarioHash, decodeScenarioHash, checkLedger, checkExpectation,
} from '../../src/scenario/index.ts';

describe('scenario validation', () => {
  it('fills in the defaults of a minimal scenario', () => {
    const result = validateScenario({ program: { example: 'hello' } });
    expect(result).toEqual({
      ok: true,
      scenario: {
        version: 1, program: { example: 'hello' },
        machine: { topology: 'pair-spare', compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'none' },
        faults: [], replacements: [], settings: { speed: 5000, autorun: false, stepN: 100, theme: 'auto' },
      },
    });
  });

  it.each([
    ['an unknown topology', { program: { example: 'hello' }, machine: { topology: 'quad' } }, /machine\.topology: .*simplex.*tmr/],
    ['a missing program', {}, /^program: /m],
    ['a bad fault', { program: { example: 'hello' }, faults: ['at=5,module=1,kind=zap,target=x5,bit=1'] }, /faults\.0: .*unknown kind 'zap'/],
    ['a fault without at', { program: { example: 'hello' }, faults: ['module=1,kind=flip,target=x5,bit=1'] }, /faults\.0: .*missing at=/],
    ['an unknown key', { program: { example: 'hello' }, colour: 'red' }, /colour/],
    ['RAM out of range', { program: { source: 'nop' }, machine: { ramMiB: 128 } }, /machine\.ramMiB/],
    ['a replacement with module and board', { program: { example: 'hello' }, replacements: [{ at: 1, module: 0, board: 0 }] }, /replacements\.0/],
    ['a threshold without re-admission', { program: { example: 'hello' }, machine: { threshold: { errors: 3, within: 1000 } } }, /machine\.threshold: threshold applies to re-admitted modules: add readmit: "transient"/],
    ['a threshold of 0 errors', { program: { example: 'hello' }, machine: { readmit: 'transient', threshold: { errors: 0, within: 1000 } } }, /machine\.threshold\.errors/],
    ['an unknown compare scope', { program: { example: 'hello' }, machine: { crossCheck: 'all' } }, /machine\.crossCheck: .*within.*boards/],
    ['a checker fault without its target', { program: { example: 'hello' }, faults: ['at=5,board=0,kind=stuck-agree'] }, /faults\.0: .*missing target=/],
  ])('rejects %s with the path of the problem', (_what, value, message) => {
    const result = validateScenario(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(/^invalid scenario:/);
      expect(result.error).toMatch(message);
    }
  });

  it('takes the diagnosis, threshold and compare-scope settings and checker and common-mode faults (issue 12)', () => {
    const machine = { topology: 'pair-spare', readmit: 'transient', diagnoseTime: 500, threshold: { errors: 3, within: 100000 }, crossCheck: 'boards' } as const;
    const faults = ['at=0,board=1,kind=stuck-agree,target=comparator', 'at=100,module=all,kind=flip,target=s0,bit=20'];
    const result = validateScenario({ program: { example: 'checksum' }, machine, faults });
    expect(result.ok && result.scenario.machine).toEqual({ ...machine, compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'none' });
    expect(result.ok && result.scenario.faults).toEqual(faults);
    const schema = scenarioJsonSchema() as { properties: { machine: { properties: Record<string, { enum?: string[] }> } } };
    expect(schema.properties.machine.properties.readmit.enum).toEqual(['never', 'transient']);
    expect(schema.properties.machine.properties.crossCheck.enum).toEqual(['within', 'boards']);
  });

  it('reports JSON syntax errors', () => {
    const result = parseScenario('{"program": ');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^the scenario is not valid JSON/);
  });

  it('publishes a JSON Schema of the input format', () => {
    const schema = scenarioJsonSchema() as { $schema: string; type: string; required: string[]; properties: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['program']);
    expect(schema.properties.machine.properties?.topology.enum).toEqual(['simplex', 'dmr', 'pair-spare', 'tmr', 'cluster', 'process-pair']);
  });
});

describe('base64url', () => {
  // RFC 4648 §10 test vectors (base64url drops the padding).
  it.each([['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']])(
    'encodes %j as %j and back', (text, encoded) => {
      expect(encodeBase64Url(new TextEncoder().encode(text))).toBe(encoded);
      expect(new TextDecoder().decode(decodeBase64Url(encoded))).toBe(text);
    });

  it('uses - and _ where base64 has + and /', () => {
    expect(encodeBase64Url(Uint8Array.from([0xFB, 0xFF]))).toBe('-_8');
    expect(decodeBase64Url('+/8=')).toEqual(Uint8Array.from([0xFB, 0xFF]));
  });

  it('round-trips a scenario with non-ASCII text through #scenario=', () => {
    const scenario = { title: 'Rechenwerk — Fehler ✓', program: { source: '# π\nnop\n' }, faults: ['at=10,module=1,kind=flip,target=x5,bit=3'] };
    const decoded = decodeScenarioHash(encodeScenarioHash(scenario));
    expect(decoded.ok && decoded.scenario.title).toBe(scenario.title);
    expect(decoded.ok && decoded.scenario.faults).toEqual(scenario.faults);
  });

  it('explains text that is not base64url', () => {
    const result = decodeScenarioHash('not*base64');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/#scenario= is not base64url-encoded UTF-8 JSON: '\*' is not a base64url character/);
  });
});

describe('workload scenarios (issue 10)', () => {
  const base = { program: { example: 'card-auth' } };

  it('takes a workload with its settings, the duration defaulting to the CLI\'s 1s', () => {
    const result = validateScenario({ ...base, workload: { name: 'telco-hlr', rate: 2500, seed: 9, fifo: 8 } });
    expect(result.ok && result.scenario.workload).toEqual({ name: 'telco-hlr', rate: 2500, seed: 9, fifo: 8, duration: '1s' });
    const full = validateScenario({ ...base, workload: { name: 'process-control', duration: '250us' }, expect: { ledger: { wrong: 0, lost: 0, correct: { min: 1 }, downtime_us: { max: 10 } } } });
    expect(full.ok && full.scenario.expect?.ledger).toEqual({ wrong: 0, lost: 0, correct: { min: 1 }, downtime_us: { max: 10 } });
  });

  it.each([
    ['an unknown workload', { workload: { name: 'atm' } }, /workload\.name: .*card-auth.*telco-hlr.*process-control/],
    ['a duration without a unit', { workload: { name: 'card-auth', duration: '20' } }, /workload\.duration: .*virtual time/],
    ['a duration longer than a day', { workload: { name: 'card-auth', duration: '90000s' } }, /workload\.duration: .*longer than a virtual day/],
    ['a zero rate', { workload: { name: 'card-auth', rate: 0 } }, /workload\.rate/],
    ['a FIFO deeper than the port', { workload: { name: 'card-auth', fifo: 1025 } }, /workload\.fifo/],
    ['a seed that is not a u32', { workload: { name: 'card-auth', seed: 2 ** 32 } }, /workload\.seed/],
    ['an unknown workload setting', { workload: { name: 'card-auth', speed: 3 } }, /workload: .*speed/],
    ['a ledger without a workload', { expect: { ledger: { wrong: 0 } } }, /expect\.ledger: a ledger needs a workload/],
    ['a field the ledger does not have', { workload: { name: 'card-auth' }, expect: { ledger: { errors: 0 } } }, /expect\.ledger: .*errors/],
    ['a range with min above max', { workload: { name: 'card-auth' }, expect: { ledger: { lost: { min: 5, max: 1 } } } }, /expect\.ledger\.lost: .*min must not be above max/],
    ['an empty range', { workload: { name: 'card-auth' }, expect: { ledger: { lost: {} } } }, /expect\.ledger\.lost: .*give min, max or both/],
    ['a negative count', { workload: { name: 'card-auth' }, expect: { ledger: { wrong: -1 } } }, /expect\.ledger\.wrong/],
  ])('rejects %s with the path of the problem', (_what, value, message) => {
    const result = validateScenario({ ...base, ...value });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('publishes workload and expect.ledger in the JSON Schema', () => {
    type Node = { properties: Record<string, Node>; required?: string[]; enum?: string[]; pattern?: string; default?: unknown; anyOf?: Node[] };
    const schema = scenarioJsonSchema() as unknown as Node;
    const workload = schema.properties.workload;
    expect(workload.required).toEqual(['name']);
    expect(workload.properties.name.enum).toEqual(['card-auth', 'telco-hlr', 'process-control', 'card-auth-pair', 'telco-hlr-pair', 'process-control-pair']);
    expect(Object.keys(workload.properties)).toEqual(['name', 'rate', 'duration', 'seed', 'fifo']);
    expect(workload.properties.duration.default).toBe('1s');
    expect(new RegExp(workload.properties.duration.pattern!).test('500ms')).toBe(true);
    expect(new RegExp(workload.properties.duration.pattern!).test('500')).toBe(false);
    const ledger = schema.properties.expect.properties.ledger;
    expect(Object.keys(ledger.properties)).toEqual(['arrived', 'dropped', 'correct', 'wrong', 'lost', 'rolled_back', 'duplicated', 'queued', 'deadline_misses', 'downtime_us']);
    expect(ledger.properties.wrong.anyOf).toHaveLength(2);
    expect(schema.required).toEqual(['program']);
  });
});

describe('checkLedger', () => {
  const ledger = {
    arrived: 100, dropped: 2, correct: 90, wrong: 3, lost: 5, rolled_back: 0, duplicated: 0, queued: 2, deadline_misses: 1, downtime_us: 250.5,
    latency_us: { p50: 1, p99: 2, max: 3 },
  };

  it('checks exact values and ranges, inclusive, and lists only the fields expected, in ledger order', () => {
    expect(checkLedger({ wrong: 0, correct: { min: 90 }, downtime_us: { max: 250.5 }, lost: { min: 1, max: 4 } }, ledger)).toEqual([
      { field: 'correct', expected: '≥ 90', actual: 90, met: true },
      { field: 'wrong', expected: '= 0', actual: 3, met: false },
      { field: 'lost', expected: '1 to 4', actual: 5, met: false },
      { field: 'downtime_us', expected: '≤ 250.5', actual: 250.5, met: true },
    ]);
    expect(checkLedger({}, ledger)).toEqual([]);
    expect(checkLedger({ duplicated: 0, queued: 2 }, ledger).every((c) => c.met)).toBe(true);
  });
});

describe('a scenario\'s expect, checked against a finished run', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);

  it('accepts the exact output and outcome', () => {
    expect(checkExpectation({ output: 'ok\nA\n', outcome: 'recovered' }, { output: bytes('ok\nA\n'), outcome: 'recovered' }))
      .toEqual({ output: { ok: true }, outcome: { ok: true, expected: 'recovered', actual: 'recovered' } });
  });

  it('says where the output first differs: a changed byte, a missing tail, an extra tail', () => {
    // 'C' (0x43) printed at byte 3 where the lesson expects 'A' (0x41).
    expect(checkExpectation({ output: 'ok\nA\n' }, { output: bytes('ok\nC\n') }).output)
      .toEqual({ ok: false, difference: { offset: 3, actual: 0x43, expected: 0x41 } });
    expect(checkExpectation({ output: 'ok\nA\n' }, { output: bytes('ok\n') }).output)
      .toEqual({ ok: false, difference: { offset: 3, expected: 0x41 } });
    expect(checkExpectation({ output: 'ok\n' }, { output: bytes('ok\n!') }).output)
      .toEqual({ ok: false, difference: { offset: 3, actual: 0x21 } });
  });

  it('compares the output as UTF-8 bytes', () => {
    // "é" is 0xC3 0xA9; "è" is 0xC3 0xA8: they differ at the second byte.
    expect(checkExpectation({ output: 'é' }, { output: bytes('è') }).output).toEqual({ ok: false, difference: { offset: 1, actual: 0xA8, expected: 0xA9 } });
  });

  it('fails an expected outcome when the run had another, or none (no fault applied)', () => {
    expect(checkExpectation({ outcome: 'recovered' }, { output: bytes(''), outcome: 'failstop' }))
      .toEqual({ outcome: { ok: false, expected: 'recovered', actual: 'failstop' } });
    expect(checkExpectation({ outcome: 'masked' }, { output: bytes('') })).toEqual({ outcome: { ok: false, expected: 'masked' } });
  });

  it('checks only what the scenario expects', () => {
    expect(checkExpectation({}, { output: bytes('anything'), outcome: 'sdc' })).toEqual({});
  });
});
