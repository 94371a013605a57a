import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * NIST AI Risk Management Framework 1.0 at category granularity: every category of
 * the four functions (GOVERN 1–6, MAP 1–5, MEASURE 1–4, MANAGE 1–4), ids as the
 * framework numbers them. Titles and descriptions are govgate's own summaries.
 */
export const NIST_AI_RMF: RegulationCatalog = {
  code: 'nist-ai-rmf',
  name: 'NIST AI Risk Management Framework',
  version: 'NIST AI 100-1 (AI RMF 1.0, January 2023)',
  url: 'https://www.nist.gov/itl/ai-risk-management-framework',
  controls: [
    {
      id: 'GOVERN 1',
      title: 'AI risk policies, processes and practices',
      evidenceTypes: ['qms.procedure', 'risk.assessment'],
      description:
        'Policies and procedures for mapping, measuring and managing AI risk exist, are transparent and are applied.',
    },
    {
      id: 'GOVERN 2',
      title: 'Accountability structures',
      evidenceTypes: ['approval', 'training.record'],
      description:
        'The right teams and people are empowered, responsible and trained for AI risk management.',
    },
    {
      id: 'GOVERN 3',
      title: 'Diverse teams and defined human oversight',
      evidenceTypes: ['human.oversight', 'qms.procedure'],
      description:
        'Diverse perspectives inform risk decisions, and roles for human oversight of AI systems are defined.',
    },
    {
      id: 'GOVERN 4',
      title: 'Risk-aware culture',
      evidenceTypes: ['qms.procedure', 'incident.report'],
      description:
        'Teams consider and communicate AI risk, including testing, incident identification and information sharing.',
    },
    {
      id: 'GOVERN 5',
      title: 'Engagement with relevant AI actors',
      evidenceTypes: ['impact.assessment', 'transparency.notice'],
      description:
        'Feedback from people outside the team, including those affected, is collected and built into the design.',
    },
    {
      id: 'GOVERN 6',
      title: 'Third-party software, data and supply chain',
      evidenceTypes: ['data.provenance', 'security.review'],
      description:
        'Policies address risks and benefits of third-party software, data and other supply chain elements.',
    },
    {
      id: 'MAP 1',
      title: 'Context established',
      evidenceTypes: ['impact.assessment', 'technical.documentation'],
      description:
        'Intended purposes, settings, users, laws and expectations of the AI system are understood and documented.',
    },
    {
      id: 'MAP 2',
      title: 'System categorised',
      evidenceTypes: ['model.card', 'technical.documentation'],
      description:
        'Tasks, methods, knowledge limits and how output will be used and overseen are defined.',
    },
    {
      id: 'MAP 3',
      title: 'Capabilities, usage, benefits and costs understood',
      evidenceTypes: ['model.card', 'impact.assessment', 'human.oversight'],
      description:
        'Benefits, costs including from errors, scope of application, operator competence and oversight processes are set out.',
    },
    {
      id: 'MAP 4',
      title: 'Risks mapped for all components',
      evidenceTypes: ['risk.assessment', 'data.provenance'],
      description:
        'Risks and benefits are mapped for every component, including third-party data and software.',
    },
    {
      id: 'MAP 5',
      title: 'Impacts characterised',
      evidenceTypes: ['impact.assessment', 'bias.audit'],
      description:
        'Likelihood and size of impacts on individuals, groups, communities, organisations and society are identified.',
    },
    {
      id: 'MEASURE 1',
      title: 'Methods and metrics identified and applied',
      evidenceTypes: ['eval.accuracy', 'risk.assessment'],
      description:
        'Approaches and metrics for measuring the mapped risks are chosen, applied and reviewed.',
    },
    {
      id: 'MEASURE 2',
      title: 'Evaluation for trustworthy characteristics',
      evidenceTypes: ['eval.accuracy', 'eval.robustness', 'bias.audit', 'security.review'],
      description:
        'The system is evaluated for validity, reliability, safety, security, explainability, privacy and fairness, with results documented.',
    },
    {
      id: 'MEASURE 3',
      title: 'Risks tracked over time',
      evidenceTypes: ['monitoring.plan', 'decision.log'],
      description: 'Mechanisms track identified and emerging risks over time in deployment.',
    },
    {
      id: 'MEASURE 4',
      title: 'Feedback on measurement efficacy',
      evidenceTypes: ['monitoring.plan', 'eval.accuracy'],
      description:
        'Feedback on how well measurement works is collected and assessed, including from the field.',
    },
    {
      id: 'MANAGE 1',
      title: 'Risks prioritised and responded to',
      evidenceTypes: ['risk.assessment', 'approval'],
      description:
        'Risks found by mapping and measuring are prioritised and treated, including a decision on whether to proceed.',
    },
    {
      id: 'MANAGE 2',
      title: 'Benefit maximisation and harm reduction strategies',
      evidenceTypes: ['human.oversight', 'decision.log', 'change.record'],
      description:
        'Strategies to reduce harm are planned and documented, including ways to override, disengage or deactivate the system.',
    },
    {
      id: 'MANAGE 3',
      title: 'Third-party risks managed',
      evidenceTypes: ['data.provenance', 'security.review', 'monitoring.plan'],
      description:
        'Risks and benefits from third-party resources, including pre-trained models, are monitored and managed.',
    },
    {
      id: 'MANAGE 4',
      title: 'Risk treatments, response, recovery and communication',
      evidenceTypes: ['monitoring.plan', 'incident.report', 'change.record'],
      description:
        'Post-deployment monitoring, response, recovery and incident communication are documented and reviewed regularly.',
    },
  ],
};
