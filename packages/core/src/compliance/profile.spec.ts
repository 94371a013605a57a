import { describe, expect, it } from '@jest/globals';
import { GovgateError } from '../errors.js';
import { modelRelease } from './__fixtures__/compliance.js';
import { compileProfile, validateRequirementProfile } from './profile.js';

describe('requirement profiles', () => {
  it('compiles the example profile with a digest and its predicates', () => {
    const compiled = compileProfile(modelRelease);
    expect(compiled.ref).toMatchObject({ id: 'model-release', version: 1 });
    expect(compiled.ref.digest).toMatch(/^[0-9a-f]{64}$/);
    expect([...compiled.predicates.keys()]).toEqual(['eval.accuracy', 'bias.audit']);
    expect(compiled.predicates.get('eval.accuracy')?.({ data: { value: 0.95 } }, undefined)).toBe(
      true,
    );
    expect(compiled.predicates.get('eval.accuracy')?.({ data: { value: 0.85 } }, undefined)).toBe(
      false,
    );
  });

  it('reports every problem at once, each with its pointer', () => {
    const result = validateRequirementProfile({
      id: 'p',
      version: 0,
      requires: [
        { type: 'eval.accuracy', where: { path: 'metadata.value', gte: 0.9 } },
        { type: 'eval.accuracy' },
        { type: 'Bad Type' },
      ],
      approvals: { approvers: ['a@x'], min: 2, quorum: 1 },
      maxAgeDyas: 3,
    });
    expect(result.ok).toBe(false);
    const pointers = result.ok ? [] : result.errors.map((e) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/version',
        '/requires/0/where/path',
        '/requires/1/type',
        '/requires/2/type',
        '/approvals/quorum',
        '/approvals/min',
        '/maxAgeDyas',
      ]),
    );
  });

  it('refuses an approval type that is also a required evidence type', () => {
    const result = validateRequirementProfile({
      id: 'p',
      version: 1,
      requires: [{ type: 'approval' }],
      approvals: { approvers: ['a@x'], min: 1 },
    });
    expect(result.ok ? [] : result.errors.map((e) => e.pointer)).toEqual(['/approvals/type']);
  });

  it('throws PROFILE_INVALID with the details', () => {
    try {
      compileProfile({ id: 'p', version: 1 });
      throw new Error('expected a throw');
    } catch (error) {
      expect(GovgateError.is(error, 'PROFILE_INVALID')).toBe(true);
      expect((error as GovgateError).details[0]?.pointer).toBe('/requires');
    }
  });
});
