import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * HIPAA Security Rule, technical safeguards (45 CFR §164.312): standards and their
 * implementation specifications, with ids as the section numbers them. Descriptions
 * are govgate's own summaries; "(addressable)" specifications may be met by an
 * equivalent measure when documented.
 */
export const HIPAA: RegulationCatalog = {
  code: 'hipaa',
  name: 'HIPAA Security Rule: Technical safeguards',
  version: '45 CFR 164.312',
  url: 'https://www.ecfr.gov/current/title-45/subtitle-A/subchapter-C/part-164/subpart-C/section-164.312',
  controls: [
    {
      id: '164.312(a)(1)',
      title: 'Access control',
      evidenceTypes: ['access.review', 'qms.procedure'],
      description:
        'Only authorised people and software can access systems holding electronic protected health information (ePHI).',
    },
    {
      id: '164.312(a)(2)(i)',
      title: 'Unique user identification',
      evidenceTypes: ['access.review'],
      description:
        'Required: each user, person or service, has a unique name or number so that activity can be traced to them.',
    },
    {
      id: '164.312(a)(2)(ii)',
      title: 'Emergency access procedure',
      evidenceTypes: ['qms.procedure', 'access.review'],
      description: 'Required: a procedure exists for reaching needed ePHI during an emergency.',
    },
    {
      id: '164.312(a)(2)(iii)',
      title: 'Automatic logoff',
      evidenceTypes: ['security.review'],
      description: 'Addressable: sessions end after a set period of inactivity.',
    },
    {
      id: '164.312(a)(2)(iv)',
      title: 'Encryption and decryption',
      evidenceTypes: ['security.review'],
      description: 'Addressable: ePHI is encrypted and decrypted by a suitable mechanism.',
    },
    {
      id: '164.312(b)',
      title: 'Audit controls',
      evidenceTypes: ['logging.config', 'decision.log'],
      description:
        'Hardware, software or procedures record and allow examination of activity in systems that hold or use ePHI.',
    },
    {
      id: '164.312(c)(1)',
      title: 'Integrity',
      evidenceTypes: ['security.review', 'qms.procedure'],
      description: 'Policies and procedures protect ePHI from improper alteration or destruction.',
    },
    {
      id: '164.312(c)(2)',
      title: 'Mechanism to authenticate electronic protected health information',
      evidenceTypes: ['security.review', 'decision.log'],
      description:
        'Addressable: electronic mechanisms show that ePHI has not been altered or destroyed improperly, for example hash chains.',
    },
    {
      id: '164.312(d)',
      title: 'Person or entity authentication',
      evidenceTypes: ['security.review', 'access.review'],
      description: 'The identity of a person or service seeking access to ePHI is verified.',
    },
    {
      id: '164.312(e)(1)',
      title: 'Transmission security',
      evidenceTypes: ['security.review'],
      description:
        'ePHI sent over a network, for example to an external model, is protected against unauthorised access.',
    },
    {
      id: '164.312(e)(2)(i)',
      title: 'Integrity controls',
      evidenceTypes: ['security.review'],
      description:
        'Addressable: ePHI in transit cannot be modified without detection until it is disposed of.',
    },
    {
      id: '164.312(e)(2)(ii)',
      title: 'Encryption',
      evidenceTypes: ['security.review'],
      description: 'Addressable: ePHI is encrypted in transit whenever appropriate.',
    },
  ],
};
