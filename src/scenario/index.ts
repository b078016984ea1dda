/** Scenario files: the type, validation, JSON Schema and the `#scenario=` encoding. */
export {
  ScenarioSchema, SCENARIO_VERSION, DEFAULT_SPEED, validateScenario, parseScenario, scenarioJsonSchema,
  encodeBase64Url, decodeBase64Url, encodeScenarioHash, decodeScenarioHash,
} from './scenario.ts';
export type { Scenario, ScenarioInput, ScenarioResult } from './scenario.ts';
export { checkExpectation, type Expectation, type ExpectationCheck } from './expect.ts';
export { checkLedger, LEDGER_EXPECTATION_FIELDS, type LedgerExpectation, type LedgerBound, type LedgerCheck, type LedgerExpectationField } from './ledger-expectation.ts';
