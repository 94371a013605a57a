import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * ISO/IEC 42001:2023 (AI management system), Annex A reference controls, numbered as
 * the standard numbers them. Titles are the controls' short names; descriptions are
 * govgate's own summaries.
 */
export const ISO_42001: RegulationCatalog = {
  code: 'iso-42001',
  name: 'ISO/IEC 42001 Artificial intelligence management system',
  version: 'ISO/IEC 42001:2023',
  url: 'https://www.iso.org/standard/81230.html',
  controls: [
    {
      id: 'A.2.2',
      title: 'AI policy',
      evidenceTypes: ['qms.procedure', 'approval'],
      description:
        'A policy for developing or using AI systems is documented and approved by management.',
    },
    {
      id: 'A.2.3',
      title: 'Alignment with other organizational policies',
      evidenceTypes: ['qms.procedure'],
      description:
        'The organisation identifies where its other policies apply to or are affected by AI.',
    },
    {
      id: 'A.2.4',
      title: 'Review of the AI policy',
      evidenceTypes: ['qms.procedure', 'approval'],
      description:
        'The AI policy is reviewed at planned intervals or when needed, to stay suitable and effective.',
    },
    {
      id: 'A.3.2',
      title: 'AI roles and responsibilities',
      evidenceTypes: ['qms.procedure', 'human.oversight'],
      description:
        'Roles and responsibilities for AI are defined and assigned according to the organisation’s needs.',
    },
    {
      id: 'A.3.3',
      title: 'Reporting of concerns',
      evidenceTypes: ['incident.report', 'qms.procedure'],
      description:
        'People can report concerns about the organisation’s role with respect to an AI system.',
    },
    {
      id: 'A.4.2',
      title: 'Resource documentation',
      evidenceTypes: ['technical.documentation'],
      description:
        'Resources needed across the AI system life cycle are identified and documented.',
    },
    {
      id: 'A.4.3',
      title: 'Data resources',
      evidenceTypes: ['data.provenance', 'technical.documentation'],
      description: 'The data resources used by the AI system are documented.',
    },
    {
      id: 'A.4.4',
      title: 'Tooling resources',
      evidenceTypes: ['technical.documentation'],
      description:
        'Tools used for the AI system (frameworks, libraries, platforms) are documented.',
    },
    {
      id: 'A.4.5',
      title: 'System and computing resources',
      evidenceTypes: ['technical.documentation'],
      description: 'System and computing resources used by the AI system are documented.',
    },
    {
      id: 'A.4.6',
      title: 'Human resources',
      evidenceTypes: ['training.record'],
      description: 'People and competences needed for the AI system are documented.',
    },
    {
      id: 'A.5.2',
      title: 'AI system impact assessment process',
      evidenceTypes: ['impact.assessment', 'qms.procedure'],
      description:
        'A process exists to assess potential consequences of the AI system for individuals, groups and society.',
    },
    {
      id: 'A.5.3',
      title: 'Documentation of AI system impact assessments',
      evidenceTypes: ['impact.assessment'],
      description: 'Results of impact assessments are documented and retained.',
    },
    {
      id: 'A.5.4',
      title: 'Assessing AI system impact on individuals or groups of individuals',
      evidenceTypes: ['impact.assessment', 'bias.audit'],
      description:
        'Effects on individuals and groups, including fairness, are assessed across the life cycle.',
    },
    {
      id: 'A.5.5',
      title: 'Assessing societal impacts of AI systems',
      evidenceTypes: ['impact.assessment'],
      description: 'Wider societal effects of the AI system are assessed across the life cycle.',
    },
    {
      id: 'A.6.1.2',
      title: 'Objectives for responsible development of AI system',
      evidenceTypes: ['qms.procedure'],
      description:
        'Objectives guiding responsible development are set, documented and built into the life cycle.',
    },
    {
      id: 'A.6.1.3',
      title: 'Processes for responsible AI system design and development',
      evidenceTypes: ['qms.procedure', 'technical.documentation'],
      description: 'Processes for responsible design and development are defined and documented.',
    },
    {
      id: 'A.6.2.2',
      title: 'AI system requirements and specification',
      evidenceTypes: ['technical.documentation'],
      description:
        'Requirements for new AI systems or material changes are specified and documented.',
    },
    {
      id: 'A.6.2.3',
      title: 'Documentation of AI system design and development',
      evidenceTypes: ['technical.documentation', 'change.record'],
      description:
        'Design and development are documented according to objectives and requirements.',
    },
    {
      id: 'A.6.2.4',
      title: 'AI system verification and validation',
      evidenceTypes: ['eval.accuracy', 'eval.robustness', 'bias.audit'],
      description:
        'Verification and validation measures and their acceptance criteria are defined and applied.',
    },
    {
      id: 'A.6.2.5',
      title: 'AI system deployment',
      evidenceTypes: ['approval', 'change.record'],
      description:
        'A deployment plan exists and requirements are met before the system is deployed.',
    },
    {
      id: 'A.6.2.6',
      title: 'AI system operation and monitoring',
      evidenceTypes: ['monitoring.plan', 'incident.report'],
      description:
        'Operation is monitored, with repairs, updates and support defined for the system in use.',
    },
    {
      id: 'A.6.2.7',
      title: 'AI system technical documentation',
      evidenceTypes: ['technical.documentation', 'model.card'],
      description:
        'Technical documentation needed by each category of interested party is determined and provided.',
    },
    {
      id: 'A.6.2.8',
      title: 'AI system recording of event logs',
      evidenceTypes: ['logging.config', 'decision.log'],
      description:
        'The life cycle phases in which event logs are recorded are decided, and logging is at least on while the system is in use.',
    },
    {
      id: 'A.7.2',
      title: 'Data for development and enhancement of AI system',
      evidenceTypes: ['data.provenance', 'qms.procedure'],
      description:
        'Data management processes for developing and improving AI systems are defined and applied.',
    },
    {
      id: 'A.7.3',
      title: 'Acquisition of data',
      evidenceTypes: ['data.provenance'],
      description:
        'How data is acquired and selected for the AI system is determined and documented.',
    },
    {
      id: 'A.7.4',
      title: 'Quality of data for AI systems',
      evidenceTypes: ['data.quality', 'bias.audit'],
      description:
        'Data quality requirements are defined and the data used is checked against them.',
    },
    {
      id: 'A.7.5',
      title: 'Data provenance',
      evidenceTypes: ['data.provenance'],
      description:
        'The origin of the data and its changes are recorded across the data and system life cycles.',
    },
    {
      id: 'A.7.6',
      title: 'Data preparation',
      evidenceTypes: ['data.quality', 'data.provenance'],
      description:
        'Criteria and methods for preparing data (cleaning, labelling, transformation) are defined and documented.',
    },
    {
      id: 'A.8.2',
      title: 'System documentation and information for users',
      evidenceTypes: ['transparency.notice', 'model.card'],
      description: 'Users receive the information they need about the AI system.',
    },
    {
      id: 'A.8.3',
      title: 'External reporting',
      evidenceTypes: ['incident.report', 'qms.procedure'],
      description: 'Interested parties can report adverse impacts of the AI system.',
    },
    {
      id: 'A.8.4',
      title: 'Communication of incidents',
      evidenceTypes: ['incident.report'],
      description:
        'A plan exists for telling users and others about incidents involving the AI system.',
    },
    {
      id: 'A.8.5',
      title: 'Information for interested parties',
      evidenceTypes: ['transparency.notice'],
      description:
        'Obligations to report information about the AI system to interested parties are identified and met.',
    },
    {
      id: 'A.9.2',
      title: 'Processes for responsible use of AI systems',
      evidenceTypes: ['qms.procedure', 'human.oversight'],
      description: 'Processes for using AI systems responsibly are defined and documented.',
    },
    {
      id: 'A.9.3',
      title: 'Objectives for responsible use of AI system',
      evidenceTypes: ['qms.procedure'],
      description:
        'Objectives guiding responsible use of AI systems are identified and documented.',
    },
    {
      id: 'A.9.4',
      title: 'Intended use of the AI system',
      evidenceTypes: ['decision.log', 'monitoring.plan', 'model.card'],
      description:
        'The AI system is used according to its intended use and documentation, and its use is checked.',
    },
    {
      id: 'A.10.2',
      title: 'Allocating responsibilities',
      evidenceTypes: ['qms.procedure', 'approval'],
      description:
        'Responsibilities across the life cycle are divided between the organisation, partners, suppliers and customers.',
    },
    {
      id: 'A.10.3',
      title: 'Suppliers',
      evidenceTypes: ['risk.assessment', 'security.review', 'data.provenance'],
      description:
        'Services, products or materials from suppliers fit the organisation’s approach to responsible AI.',
    },
    {
      id: 'A.10.4',
      title: 'Customers',
      evidenceTypes: ['transparency.notice', 'impact.assessment'],
      description:
        'Customers’ expectations and needs are considered in the responsible approach to AI.',
    },
  ],
};
