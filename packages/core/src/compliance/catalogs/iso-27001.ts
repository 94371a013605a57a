import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * ISO/IEC 27001:2022 Annex A: the information security controls that bear on AI
 * systems, their data, access, logging and change. Ids carry the `A.` prefix of the
 * Annex; titles are the controls' short names, descriptions govgate's own summaries.
 */
export const ISO_27001: RegulationCatalog = {
  code: 'iso-27001',
  name: 'ISO/IEC 27001 Information security management systems',
  version: 'ISO/IEC 27001:2022',
  url: 'https://www.iso.org/standard/27001',
  controls: [
    {
      id: 'A.5.1',
      title: 'Policies for information security',
      evidenceTypes: ['qms.procedure', 'approval'],
      description: 'Security policies are defined, approved by management, published and reviewed.',
    },
    {
      id: 'A.5.2',
      title: 'Information security roles and responsibilities',
      evidenceTypes: ['qms.procedure'],
      description: 'Security roles and responsibilities are defined and assigned.',
    },
    {
      id: 'A.5.8',
      title: 'Information security in project management',
      evidenceTypes: ['risk.assessment', 'security.review'],
      description: 'Security is built into projects, such as building or changing an AI system.',
    },
    {
      id: 'A.5.9',
      title: 'Inventory of information and other associated assets',
      evidenceTypes: ['technical.documentation', 'model.card'],
      description:
        'Assets such as models, data sets and services are inventoried with their owners.',
    },
    {
      id: 'A.5.12',
      title: 'Classification of information',
      evidenceTypes: ['data.provenance'],
      description:
        'Information, including training and input data, is classified by its protection needs.',
    },
    {
      id: 'A.5.15',
      title: 'Access control',
      evidenceTypes: ['access.review', 'qms.procedure'],
      description:
        'Rules for physical and logical access are set from business and security requirements.',
    },
    {
      id: 'A.5.16',
      title: 'Identity management',
      evidenceTypes: ['access.review'],
      description: 'The full life cycle of identities, human and machine, is managed.',
    },
    {
      id: 'A.5.17',
      title: 'Authentication information',
      evidenceTypes: ['security.review', 'access.review'],
      description:
        'Secrets such as passwords and API keys are issued and handled under a controlled process.',
    },
    {
      id: 'A.5.18',
      title: 'Access rights',
      evidenceTypes: ['access.review', 'approval'],
      description:
        'Access rights are granted, reviewed, changed and removed according to the access policy.',
    },
    {
      id: 'A.5.19',
      title: 'Information security in supplier relationships',
      evidenceTypes: ['risk.assessment', 'security.review'],
      description:
        'Security risks from suppliers, such as model or API providers, are identified and managed.',
    },
    {
      id: 'A.5.21',
      title: 'Managing information security in the ICT supply chain',
      evidenceTypes: ['security.review', 'data.provenance'],
      description:
        'Security risks of the ICT supply chain, including third-party models and libraries, are managed.',
    },
    {
      id: 'A.5.23',
      title: 'Information security for use of cloud services',
      evidenceTypes: ['security.review', 'risk.assessment'],
      description:
        'Acquiring, using, managing and leaving cloud services follows security requirements.',
    },
    {
      id: 'A.5.24',
      title: 'Information security incident management planning and preparation',
      evidenceTypes: ['qms.procedure', 'incident.report'],
      description:
        'Incident management processes, roles and responsibilities are planned and prepared.',
    },
    {
      id: 'A.5.25',
      title: 'Assessment and decision on information security events',
      evidenceTypes: ['incident.report'],
      description: 'Security events are assessed and it is decided whether they are incidents.',
    },
    {
      id: 'A.5.26',
      title: 'Response to information security incidents',
      evidenceTypes: ['incident.report'],
      description: 'Incidents are responded to according to documented procedures.',
    },
    {
      id: 'A.5.27',
      title: 'Learning from information security incidents',
      evidenceTypes: ['incident.report', 'risk.assessment'],
      description: 'Knowledge from incidents is used to strengthen controls.',
    },
    {
      id: 'A.5.28',
      title: 'Collection of evidence',
      evidenceTypes: ['decision.log', 'logging.config'],
      description:
        'Evidence about security events is identified, collected and preserved so that it stays trustworthy.',
    },
    {
      id: 'A.5.31',
      title: 'Legal, statutory, regulatory and contractual requirements',
      evidenceTypes: ['qms.procedure', 'impact.assessment'],
      description:
        'Applicable legal, regulatory and contractual requirements, such as AI regulation, are identified and kept up to date.',
    },
    {
      id: 'A.5.33',
      title: 'Protection of records',
      evidenceTypes: ['decision.log', 'logging.config'],
      description:
        'Records are protected from loss, destruction, falsification and unauthorised access or release.',
    },
    {
      id: 'A.5.34',
      title: 'Privacy and protection of PII',
      evidenceTypes: ['impact.assessment', 'data.provenance'],
      description:
        'Privacy and personal data are protected as laws, regulations and contracts require.',
    },
    {
      id: 'A.5.35',
      title: 'Independent review of information security',
      evidenceTypes: ['security.review'],
      description:
        'The approach to information security is reviewed independently at planned intervals or on significant change.',
    },
    {
      id: 'A.5.37',
      title: 'Documented operating procedures',
      evidenceTypes: ['qms.procedure', 'technical.documentation'],
      description:
        'Operating procedures for information processing facilities are documented and available.',
    },
    {
      id: 'A.6.3',
      title: 'Information security awareness, education and training',
      evidenceTypes: ['training.record'],
      description: 'Staff receive security awareness, education and training suited to their role.',
    },
    {
      id: 'A.8.2',
      title: 'Privileged access rights',
      evidenceTypes: ['access.review'],
      description: 'Privileged access, such as administrator keys, is restricted and managed.',
    },
    {
      id: 'A.8.5',
      title: 'Secure authentication',
      evidenceTypes: ['security.review'],
      description:
        'Authentication technologies and procedures are implemented according to access restrictions.',
    },
    {
      id: 'A.8.9',
      title: 'Configuration management',
      evidenceTypes: ['change.record', 'security.review'],
      description:
        'Configurations, including security configurations, are established, documented, monitored and reviewed.',
    },
    {
      id: 'A.8.11',
      title: 'Data masking',
      evidenceTypes: ['security.review'],
      description:
        'Data is masked, for example personal data redacted, according to the access policy and legal requirements.',
    },
    {
      id: 'A.8.12',
      title: 'Data leakage prevention',
      evidenceTypes: ['security.review'],
      description:
        'Measures prevent sensitive data from leaking out of systems, for example to external models.',
    },
    {
      id: 'A.8.15',
      title: 'Logging',
      evidenceTypes: ['logging.config', 'decision.log'],
      description:
        'Logs of activities, exceptions, faults and other events are produced, stored, protected and analysed.',
    },
    {
      id: 'A.8.16',
      title: 'Monitoring activities',
      evidenceTypes: ['monitoring.plan', 'logging.config'],
      description:
        'Networks, systems and applications are watched for anomalous behaviour, and action is taken.',
    },
    {
      id: 'A.8.17',
      title: 'Clock synchronization',
      evidenceTypes: ['logging.config'],
      description:
        'Clocks of systems are synchronised to approved time sources so logs can be correlated.',
    },
    {
      id: 'A.8.24',
      title: 'Use of cryptography',
      evidenceTypes: ['security.review'],
      description:
        'Rules for using cryptography, including key management, are defined and applied.',
    },
    {
      id: 'A.8.25',
      title: 'Secure development life cycle',
      evidenceTypes: ['security.review', 'qms.procedure'],
      description: 'Rules for the secure development of software and systems are set and applied.',
    },
    {
      id: 'A.8.26',
      title: 'Application security requirements',
      evidenceTypes: ['security.review', 'technical.documentation'],
      description:
        'Security requirements are identified and approved when developing or acquiring applications.',
    },
    {
      id: 'A.8.27',
      title: 'Secure system architecture and engineering principles',
      evidenceTypes: ['security.review', 'technical.documentation'],
      description:
        'Principles for engineering secure systems are documented, maintained and applied.',
    },
    {
      id: 'A.8.28',
      title: 'Secure coding',
      evidenceTypes: ['security.review'],
      description: 'Secure coding principles are applied to software development.',
    },
    {
      id: 'A.8.29',
      title: 'Security testing in development and acceptance',
      evidenceTypes: ['security.review', 'eval.robustness'],
      description:
        'Security testing, including adversarial testing of models, is defined and carried out during development.',
    },
    {
      id: 'A.8.30',
      title: 'Outsourced development',
      evidenceTypes: ['security.review', 'approval'],
      description: 'Outsourced development is directed, monitored and reviewed.',
    },
    {
      id: 'A.8.31',
      title: 'Separation of development, test and production environments',
      evidenceTypes: ['security.review', 'change.record'],
      description: 'Development, test and production environments are kept separate and secured.',
    },
    {
      id: 'A.8.32',
      title: 'Change management',
      evidenceTypes: ['change.record', 'approval'],
      description:
        'Changes to systems and facilities, including model releases, follow change management procedures.',
    },
    {
      id: 'A.8.33',
      title: 'Test information',
      evidenceTypes: ['data.provenance', 'security.review'],
      description: 'Information used for testing is selected, protected and managed appropriately.',
    },
  ],
};
