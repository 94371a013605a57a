import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * SOC 2: the common criteria (security, CC1–CC9) of the AICPA trust services
 * criteria that evidence from an AI pipeline and its decision ledger can support.
 * Titles and descriptions are govgate's own summaries of each criterion.
 */
export const SOC2: RegulationCatalog = {
  code: 'soc2',
  name: 'SOC 2 Trust Services Criteria (Common Criteria)',
  version: 'AICPA 2017 Trust Services Criteria (revised points of focus, 2022)',
  url: 'https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria-with-revised-points-of-focus-2022',
  controls: [
    {
      id: 'CC1.1',
      title: 'Commitment to integrity and ethical values',
      evidenceTypes: ['qms.procedure', 'training.record'],
      description:
        'The entity sets standards of conduct, including for responsible AI, and checks they are followed.',
    },
    {
      id: 'CC1.3',
      title: 'Structures, reporting lines and responsibilities',
      evidenceTypes: ['qms.procedure', 'approval'],
      description:
        'Management sets structures, reporting lines, authorities and responsibilities to meet objectives.',
    },
    {
      id: 'CC1.4',
      title: 'Competent personnel',
      evidenceTypes: ['training.record'],
      description:
        'The entity attracts, develops and keeps competent people in line with its objectives.',
    },
    {
      id: 'CC1.5',
      title: 'Accountability for internal control',
      evidenceTypes: ['approval', 'decision.log'],
      description: 'Individuals are held accountable for their internal control responsibilities.',
    },
    {
      id: 'CC2.1',
      title: 'Relevant, quality information',
      evidenceTypes: ['decision.log', 'logging.config', 'data.quality'],
      description:
        'The entity obtains or produces relevant, good-quality information to support internal control.',
    },
    {
      id: 'CC2.2',
      title: 'Internal communication',
      evidenceTypes: ['qms.procedure', 'training.record'],
      description:
        'Objectives and responsibilities for internal control are communicated inside the entity.',
    },
    {
      id: 'CC2.3',
      title: 'External communication',
      evidenceTypes: ['transparency.notice', 'incident.report'],
      description:
        'Matters affecting internal control are communicated with external parties such as users and customers.',
    },
    {
      id: 'CC3.1',
      title: 'Objectives specified',
      evidenceTypes: ['risk.assessment', 'qms.procedure'],
      description:
        'Objectives are specified clearly enough for related risks to be identified and assessed.',
    },
    {
      id: 'CC3.2',
      title: 'Risk identification and analysis',
      evidenceTypes: ['risk.assessment'],
      description:
        'Risks to objectives are identified across the entity and analysed to decide how to manage them.',
    },
    {
      id: 'CC3.3',
      title: 'Fraud risk',
      evidenceTypes: ['risk.assessment'],
      description:
        'The potential for fraud, including misuse of AI systems, is considered when assessing risks.',
    },
    {
      id: 'CC3.4',
      title: 'Changes that affect internal control',
      evidenceTypes: ['risk.assessment', 'change.record'],
      description:
        'Changes that could significantly affect internal control, such as a new model, are identified and assessed.',
    },
    {
      id: 'CC4.1',
      title: 'Ongoing and separate evaluations',
      evidenceTypes: ['monitoring.plan', 'security.review'],
      description:
        'Ongoing or separate evaluations check that the components of internal control are present and working.',
    },
    {
      id: 'CC4.2',
      title: 'Deficiencies communicated',
      evidenceTypes: ['incident.report'],
      description:
        'Internal control deficiencies are evaluated and communicated in time to those who must correct them.',
    },
    {
      id: 'CC5.1',
      title: 'Control activities that mitigate risks',
      evidenceTypes: ['risk.assessment', 'qms.procedure'],
      description:
        'Control activities are chosen and developed to reduce risks to acceptable levels.',
    },
    {
      id: 'CC5.2',
      title: 'General controls over technology',
      evidenceTypes: ['security.review'],
      description: 'General control activities over technology are chosen and developed.',
    },
    {
      id: 'CC5.3',
      title: 'Policies and procedures',
      evidenceTypes: ['qms.procedure'],
      description:
        'Control activities are put in place through policies and the procedures that implement them.',
    },
    {
      id: 'CC6.1',
      title: 'Logical access security',
      evidenceTypes: ['access.review', 'security.review'],
      description:
        'Logical access software, infrastructure and architecture protect information assets.',
    },
    {
      id: 'CC6.2',
      title: 'User registration and authorisation',
      evidenceTypes: ['access.review', 'approval'],
      description:
        'Users are registered and authorised before credentials are issued, and removed when no longer needed.',
    },
    {
      id: 'CC6.3',
      title: 'Role-based access and least privilege',
      evidenceTypes: ['access.review'],
      description:
        'Access is granted, changed and removed based on roles, least privilege and separation of duties.',
    },
    {
      id: 'CC6.6',
      title: 'Protection against external threats',
      evidenceTypes: ['security.review'],
      description:
        'Logical access measures protect against threats from outside the system boundary.',
    },
    {
      id: 'CC6.7',
      title: 'Restricted transmission and movement of information',
      evidenceTypes: ['security.review'],
      description:
        'Transmission, movement and removal of information are restricted and protected.',
    },
    {
      id: 'CC6.8',
      title: 'Prevention of unauthorised or malicious software',
      evidenceTypes: ['security.review', 'change.record'],
      description:
        'Controls prevent or detect unauthorised or malicious software, including untrusted model artifacts.',
    },
    {
      id: 'CC7.1',
      title: 'Detection of configuration changes and vulnerabilities',
      evidenceTypes: ['monitoring.plan', 'security.review', 'logging.config'],
      description:
        'Detection and monitoring find configuration changes that introduce vulnerabilities, and new vulnerabilities.',
    },
    {
      id: 'CC7.2',
      title: 'Monitoring for anomalies',
      evidenceTypes: ['monitoring.plan', 'logging.config', 'decision.log'],
      description:
        'System components are monitored for anomalies that indicate malicious acts, disasters or errors.',
    },
    {
      id: 'CC7.3',
      title: 'Evaluation of security events',
      evidenceTypes: ['incident.report'],
      description:
        'Security events are evaluated to decide whether they are incidents that affect objectives.',
    },
    {
      id: 'CC7.4',
      title: 'Incident response',
      evidenceTypes: ['incident.report'],
      description: 'Identified incidents are handled through a defined response programme.',
    },
    {
      id: 'CC7.5',
      title: 'Recovery from incidents',
      evidenceTypes: ['incident.report', 'change.record'],
      description: 'Activities to recover from identified incidents are defined and carried out.',
    },
    {
      id: 'CC8.1',
      title: 'Change management',
      evidenceTypes: ['change.record', 'approval'],
      description:
        'Changes to infrastructure, data, software and procedures are authorised, designed, tested, approved and documented.',
    },
    {
      id: 'CC9.1',
      title: 'Business disruption risk mitigation',
      evidenceTypes: ['risk.assessment'],
      description:
        'Risk mitigation activities for potential business disruptions are identified and developed.',
    },
    {
      id: 'CC9.2',
      title: 'Vendor and business partner risk',
      evidenceTypes: ['risk.assessment', 'security.review'],
      description:
        'Risks from vendors and business partners, such as model providers, are assessed and managed.',
    },
  ],
};
