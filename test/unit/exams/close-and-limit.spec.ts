import { planTransitions, TransitionRefused } from '../../../src/modules/exams/domain/attempt-state';
import { Semaphore } from '../../../src/modules/exams/domain/semaphore';

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

describe('Semaphore (submissions holding a database connection)', () => {
  it('lets at most `limit` in and hands slots over in arrival order', async () => {
    const gate = new Semaphore(2);
    const order: number[] = [];
    await gate.acquire();
    await gate.acquire();
    const third = gate.acquire().then(() => order.push(3));
    const fourth = gate.acquire().then(() => order.push(4));
    expect(gate.inUse).toBe(2);
    expect(gate.queued).toBe(2);
    gate.release();
    await third;
    expect(order).toEqual([3]);
    expect(gate.inUse).toBe(2);
    gate.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    gate.release();
    gate.release();
    expect(gate.inUse).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Semaphore(0)).toThrow(/positive integer/);
  });
});
