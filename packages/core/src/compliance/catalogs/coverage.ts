import type { RegulationCatalog } from './regulation-catalog.js';

/** A piece of evidence as coverage needs it: its type and the ledger seq of its entry. */
export interface EvidenceRef {
  readonly type: string;
  readonly seq: number;
}

export type ControlStatus = 'satisfied' | 'missing';

/** How one control of a catalog is covered by the evidence given. */
export interface ControlCoverage {
  readonly id: string;
  readonly title: string;
  readonly status: ControlStatus;
  /** The control's evidence types, in catalog order. */
  readonly evidenceTypes: readonly string[];
  /** Seqs of the evidence entries that support the control, ascending, each once. */
  readonly seqs: readonly number[];
  /** The control's evidence types for which no evidence was given, in catalog order. */
  readonly missingTypes: readonly string[];
}

/** Coverage of one regulation by a set of evidence (a run's, or a tenant's). */
export interface CoverageReport {
  /** The catalog's code. */
  readonly regulation: string;
  readonly name: string;
  /** Number of controls whose status is `satisfied`. */
  readonly satisfied: number;
  readonly total: number;
  /** One entry per control, in catalog order. */
  readonly controls: readonly ControlCoverage[];
}

/**
 * Which controls of a regulation the given evidence covers.
 *
 * Rule: a control is `satisfied` when at least one piece of evidence has ANY of the
 * control's evidence types (the types are alternatives, OR); otherwise it is
 * `missing`. `seqs` lists the seqs of all evidence of the control's types (ascending,
 * duplicates removed), and `missingTypes` the control's types that have no evidence at
 * all, so a satisfied control may still list types that would strengthen it. Evidence
 * of types the catalog does not use is ignored. Coverage says evidence exists, not that
 * it passes: predicates on evidence data are the requirement profile's job (verdicts).
 * The output follows catalog order and does not depend on the order of `evidence`.
 *
 * @example
 * const report = coverageOf(EU_AI_ACT, [{ type: 'decision.log', seq: 7 }, { type: 'logging.config', seq: 3 }]);
 * report.controls.find((c) => c.id === 'Art.12(1)')
 * // { id: 'Art.12(1)', status: 'satisfied', seqs: [3, 7], missingTypes: [], … }
 */
export function coverageOf(
  catalog: RegulationCatalog,
  evidence: readonly EvidenceRef[],
): CoverageReport {
  const seqsByType = new Map<string, Set<number>>();
  for (const { type, seq } of evidence) {
    let seqs = seqsByType.get(type);
    if (seqs === undefined) seqsByType.set(type, (seqs = new Set()));
    seqs.add(seq);
  }
  let satisfied = 0;
  const controls = catalog.controls.map((control): ControlCoverage => {
    const seqs = new Set<number>();
    const missingTypes: string[] = [];
    for (const type of control.evidenceTypes) {
      const found = seqsByType.get(type);
      if (found === undefined) missingTypes.push(type);
      else for (const seq of found) seqs.add(seq);
    }
    const status: ControlStatus = seqs.size > 0 ? 'satisfied' : 'missing';
    if (status === 'satisfied') satisfied++;
    return {
      id: control.id,
      title: control.title,
      status,
      evidenceTypes: [...control.evidenceTypes],
      seqs: [...seqs].sort((a, b) => a - b),
      missingTypes,
    };
  });
  return {
    regulation: catalog.code,
    name: catalog.name,
    satisfied,
    total: controls.length,
    controls,
  };
}
