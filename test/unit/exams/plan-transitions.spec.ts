import { planTransitions, TransitionRefused } from '../../../src/modules/exams/domain/attempt-state';

describe('planTransitions (the deadline job closes, grades and decides in one go)', () => {
  it('walks the table step by step and ends in the last state', () => {
    const plan = planTransitions('in_progress', ['autoSubmit', 'grade', 'pass']);
    expect(plan.to).toBe('passed');
    expect(plan.steps).toEqual([
      { name: 'autoSubmit', from: 'in_progress', to: 'auto_submitted' },
      { name: 'grade', from: 'auto_submitted', to: 'graded' },
      { name: 'pass', from: 'graded', to: 'passed' },
    ]);
  });

  it('stops at graded when an essay still needs a person, and holds a flagged attempt', () => {
    expect(planTransitions('paused', ['autoSubmit', 'grade']).to).toBe('graded');
    expect(planTransitions('in_progress', ['autoSubmit', 'grade', 'hold']).to).toBe('under_review');
  });

  it('refuses a step the table does not allow from the state the previous step left', () => {
    expect(() => planTransitions('in_progress', ['autoSubmit', 'pass'])).toThrow(TransitionRefused);
    expect(() => planTransitions('submitted', ['autoSubmit'])).toThrow(TransitionRefused);
  });
});
