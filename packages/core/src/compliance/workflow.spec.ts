import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { WORKFLOW_STATES, WORKFLOW_TRANSITIONS, assertTransition } from './workflow.js';

describe('assessment workflows', () => {
  it('allow exactly draft → in_progress → under_review → approved | rejected, and rejected → in_progress', () => {
    const allowed: string[] = [];
    for (const from of WORKFLOW_STATES)
      for (const to of WORKFLOW_STATES) {
        try {
          assertTransition(from, to);
          allowed.push(`${from}→${to}`);
        } catch (error) {
          expect(GovgateError.is(error, 'WORKFLOW_TRANSITION_INVALID')).toBe(true);
        }
      }
    expect(allowed.sort()).toEqual(
      [
        'draft→in_progress',
        'in_progress→under_review',
        'rejected→in_progress',
        'under_review→approved',
        'under_review→rejected',
      ].sort(),
    );
    expect(WORKFLOW_TRANSITIONS.approved).toEqual([]);
  });

  it('names the allowed targets when refusing', () => {
    expect(() => assertTransition('draft', 'approved')).toThrow(
      'a workflow in draft can go to in_progress, not approved',
    );
    expect(() => assertTransition('approved', 'in_progress')).toThrow('no transition is possible');
  });
});
