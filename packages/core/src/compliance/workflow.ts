import { GovgateError } from '../errors.js';

export const WORKFLOW_STATES = [
  'draft',
  'in_progress',
  'under_review',
  'approved',
  'rejected',
] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

/** Where each state may go: approved is final; a rejected assessment is reworked. */
export const WORKFLOW_TRANSITIONS: Readonly<Record<WorkflowState, readonly WorkflowState[]>> = {
  draft: ['in_progress'],
  in_progress: ['under_review'],
  under_review: ['approved', 'rejected'],
  rejected: ['in_progress'],
  approved: [],
};

/** One audited change of state, as recorded in a `workflow.transition` entry. */
export interface WorkflowTransition {
  readonly workflowId: string;
  readonly from: WorkflowState;
  readonly to: WorkflowState;
  readonly actor: string;
  readonly comment: string;
}

/**
 * Checks a transition of an assessment workflow; WORKFLOW_TRANSITION_INVALID (with
 * the allowed targets) when the state machine does not allow it.
 *
 * @example
 * assertTransition('draft', 'in_progress'); // fine
 * assertTransition('draft', 'approved');    // throws
 */
export function assertTransition(from: WorkflowState, to: string): asserts to is WorkflowState {
  const allowed = WORKFLOW_TRANSITIONS[from];
  if (!(allowed as readonly string[]).includes(to))
    throw new GovgateError(
      'WORKFLOW_TRANSITION_INVALID',
      allowed.length === 0
        ? `the workflow is ${from}: no transition is possible`
        : `a workflow in ${from} can go to ${allowed.join(' or ')}, not ${to}`,
      {
        details: [{ pointer: '/to', message: `must be one of: ${allowed.join(', ') || '(none)'}` }],
      },
    );
}
