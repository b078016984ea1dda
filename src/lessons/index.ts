/** Lessons: the format, the goal checker, the headless player and grading. */
export {
  LessonSchema, LESSON_VERSION, EVENT_NAMES, CAMPAIGN_OUTCOMES, AVAILABILITY_FIGURES, CAMPAIGN_TARGETS,
  validateLesson, parseLesson, lessonJsonSchema,
} from './lesson.ts';
export type {
  Lesson, LessonInput, LessonResult, Step, StepGoal, RunGoal, MachineGoal, CampaignGoal, ChoiceGoal, NumberGoal, ProgramGoal,
  ProgramTest, Solution, Bound, EventName, CampaignSettings,
} from './lesson.ts';
export { LessonScenarioSchema, type LessonScenario, type LessonScenarioInput, type ScenarioProgram } from './scenario.ts';
export {
  GoalChecker, checkAnswer, expectedNumber, describeEvent, withinBound, boundText,
  type Observation, type GoalStatus, type CheckContext, type CampaignSummaryView,
} from './goals.ts';
export {
  checkLesson, runProgramTests, loadScenarioProgram,
  type PlayEnvironment, type ProgramFile, type CampaignRequest, type StepReport, type TestResult,
} from './play.ts';
export { gradescopeResults, type GradescopeResults, type GradescopeTest } from './grade.ts';
