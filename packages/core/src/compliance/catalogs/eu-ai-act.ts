import type { RegulationCatalog } from './regulation-catalog.js';

/**
 * EU AI Act: the provider and deployer obligations for high-risk AI systems that
 * evidence from an AI pipeline can support. Articles are split into paragraphs (and
 * points) where the evidence that supports them differs.
 */
export const EU_AI_ACT: RegulationCatalog = {
  code: 'eu-ai-act',
  name: 'EU Artificial Intelligence Act',
  version: 'Regulation (EU) 2024/1689',
  url: 'https://eur-lex.europa.eu/eli/reg/2024/1689/oj',
  controls: [
    {
      id: 'Art.9(1)',
      title: 'Risk management system established and maintained',
      evidenceTypes: ['risk.assessment', 'qms.procedure'],
      description:
        'A documented risk management system exists for the high-risk system and is kept up to date.',
    },
    {
      id: 'Art.9(2)',
      title: 'Risk identification, estimation and evaluation',
      evidenceTypes: ['risk.assessment', 'monitoring.plan'],
      description:
        'Known and reasonably foreseeable risks to health, safety and fundamental rights are identified and evaluated across the life cycle, including from post-market data.',
    },
    {
      id: 'Art.9(5)',
      title: 'Risk management measures and residual risk',
      evidenceTypes: ['risk.assessment', 'approval'],
      description:
        'Measures are chosen to eliminate or reduce risks, and the remaining risk is judged acceptable by an accountable person.',
    },
    {
      id: 'Art.9(6)',
      title: 'Testing for consistent performance',
      evidenceTypes: ['eval.accuracy', 'eval.robustness'],
      description:
        'The system is tested to find the most suitable risk measures and to show that it performs consistently for its intended purpose.',
    },
    {
      id: 'Art.9(8)',
      title: 'Testing against predefined metrics before release',
      evidenceTypes: ['eval.accuracy', 'eval.robustness'],
      description:
        'Tests run during development and in any case before release, against metrics and probabilistic thresholds fixed in advance.',
    },
    {
      id: 'Art.9(9)',
      title: 'Impact on minors and vulnerable groups considered',
      evidenceTypes: ['impact.assessment'],
      description:
        'The risk management considers whether the system may adversely affect people under 18 or other vulnerable groups.',
    },
    {
      id: 'Art.10(2)',
      title: 'Data governance and management practices',
      evidenceTypes: ['data.provenance', 'data.quality'],
      description:
        'Training, validation and test data follow documented practices covering design choices, origin and collection, preparation, assumptions and gaps.',
    },
    {
      id: 'Art.10(2)(f)',
      title: 'Examination and mitigation of possible biases',
      evidenceTypes: ['bias.audit'],
      description:
        'Data sets are examined for biases that could harm people or lead to discrimination, and measures to detect, prevent and reduce them are taken.',
    },
    {
      id: 'Art.10(3)',
      title: 'Relevant, representative and complete data',
      evidenceTypes: ['data.quality'],
      description:
        'Data sets are relevant, sufficiently representative, as free of errors and as complete as possible for the intended purpose.',
    },
    {
      id: 'Art.10(5)',
      title: 'Safeguards when processing special categories for bias detection',
      evidenceTypes: ['bias.audit', 'access.review', 'security.review'],
      description:
        'Special categories of personal data are processed for bias correction only when strictly needed, with access restrictions, security measures and deletion afterwards.',
    },
    {
      id: 'Art.11(1)',
      title: 'Technical documentation drawn up and kept up to date',
      evidenceTypes: ['technical.documentation', 'model.card'],
      description:
        'Documentation showing compliance (Annex IV content) exists before the system is placed on the market and follows its changes.',
    },
    {
      id: 'Art.12(1)',
      title: 'Automatic recording of events',
      evidenceTypes: ['logging.config', 'decision.log'],
      description:
        'The system technically allows events to be logged automatically over its lifetime.',
    },
    {
      id: 'Art.12(2)',
      title: 'Logging supports risk detection and monitoring',
      evidenceTypes: ['logging.config', 'decision.log', 'monitoring.plan'],
      description:
        'The logs make it possible to spot risk situations and substantial modifications, and support post-market monitoring and deployer monitoring.',
    },
    {
      id: 'Art.12(3)',
      title: 'Minimum logs for remote biometric identification',
      evidenceTypes: ['decision.log', 'human.oversight'],
      description:
        'For remote biometric identification systems only: each use is logged with its period, reference database, matched input and the people who verified the result.',
    },
    {
      id: 'Art.13(1)',
      title: 'Transparent operation for deployers',
      evidenceTypes: ['transparency.notice', 'model.card'],
      description:
        'The system is designed so that deployers can interpret its output and use it appropriately.',
    },
    {
      id: 'Art.13(2)',
      title: 'Instructions for use',
      evidenceTypes: ['transparency.notice', 'technical.documentation'],
      description:
        'The system comes with concise, complete and clear instructions for use that deployers can access.',
    },
    {
      id: 'Art.13(3)(b)',
      title: 'Declared characteristics, capabilities and limitations',
      evidenceTypes: ['model.card', 'eval.accuracy', 'eval.robustness'],
      description:
        'The instructions state intended purpose, accuracy metrics and levels, robustness, cybersecurity and known limitations.',
    },
    {
      id: 'Art.13(3)(d)',
      title: 'Human oversight measures described',
      evidenceTypes: ['human.oversight', 'transparency.notice'],
      description:
        'The instructions describe the oversight measures, including tools that help deployers interpret the output.',
    },
    {
      id: 'Art.13(3)(f)',
      title: 'Log collection mechanisms described',
      evidenceTypes: ['logging.config', 'technical.documentation'],
      description:
        'The instructions explain how deployers can collect, store and interpret the logs.',
    },
    {
      id: 'Art.14(1)',
      title: 'Designed for effective human oversight',
      evidenceTypes: ['human.oversight'],
      description:
        'The system, including its interface, lets natural persons oversee it effectively while it is in use.',
    },
    {
      id: 'Art.14(3)',
      title: 'Oversight measures proportionate to the risk',
      evidenceTypes: ['human.oversight', 'risk.assessment'],
      description:
        'Oversight measures match the risks, autonomy and context of use, and are built in by the provider or identified for the deployer.',
    },
    {
      id: 'Art.14(4)',
      title: 'Overseers can understand, override and stop the system',
      evidenceTypes: ['human.oversight', 'training.record', 'decision.log'],
      description:
        'Assigned people understand capabilities and limits, are aware of automation bias, can interpret, disregard, override or reverse output, and can interrupt the system.',
    },
    {
      id: 'Art.14(5)',
      title: 'Two-person verification for biometric identification',
      evidenceTypes: ['human.oversight', 'approval', 'decision.log'],
      description:
        'For remote biometric identification, no action is taken on an identification unless two competent people have separately verified it.',
    },
    {
      id: 'Art.15(1)',
      title: 'Appropriate accuracy, robustness and cybersecurity',
      evidenceTypes: ['eval.accuracy', 'eval.robustness', 'security.review'],
      description:
        'The system reaches an appropriate level of accuracy, robustness and cybersecurity and keeps it throughout its life cycle.',
    },
    {
      id: 'Art.15(3)',
      title: 'Accuracy levels and metrics declared',
      evidenceTypes: ['eval.accuracy', 'model.card'],
      description: 'Accuracy levels and the metrics used are stated in the instructions for use.',
    },
    {
      id: 'Art.15(4)',
      title: 'Resilience to errors, faults and inconsistencies',
      evidenceTypes: ['eval.robustness'],
      description:
        'The system is as resilient as possible to errors and faults (redundancy, fail-safe plans), and systems that keep learning avoid biased feedback loops.',
    },
    {
      id: 'Art.15(5)',
      title: 'Resilience against attacks',
      evidenceTypes: ['security.review', 'eval.robustness'],
      description:
        'The system resists attempts to alter its use or performance, such as data or model poisoning, adversarial examples and confidentiality attacks.',
    },
    {
      id: 'Art.17(1)',
      title: 'Quality management system documented',
      evidenceTypes: ['qms.procedure'],
      description:
        'The provider has a quality management system documented as written policies, procedures and instructions.',
    },
    {
      id: 'Art.17(1)(a)',
      title: 'Regulatory compliance strategy and management of modifications',
      evidenceTypes: ['qms.procedure', 'change.record', 'approval'],
      description:
        'The quality system covers how compliance is achieved, including conformity assessment and how changes to the system are controlled.',
    },
    {
      id: 'Art.17(1)(d)',
      title: 'Examination, test and validation procedures',
      evidenceTypes: ['eval.accuracy', 'eval.robustness', 'qms.procedure'],
      description:
        'Tests and validations are carried out before, during and after development, at a defined frequency.',
    },
    {
      id: 'Art.17(1)(f)',
      title: 'Data management procedures',
      evidenceTypes: ['data.provenance', 'data.quality'],
      description:
        'The quality system covers data acquisition, collection, analysis, labelling, storage, filtering, retention and other data operations.',
    },
    {
      id: 'Art.17(1)(i)',
      title: 'Serious incident reporting procedures',
      evidenceTypes: ['incident.report', 'qms.procedure'],
      description: 'Procedures exist for reporting serious incidents to authorities.',
    },
    {
      id: 'Art.17(1)(k)',
      title: 'Record-keeping of documentation and information',
      evidenceTypes: ['technical.documentation', 'decision.log'],
      description: 'All relevant documentation and information is recorded and kept.',
    },
    {
      id: 'Art.17(1)(m)',
      title: 'Accountability framework',
      evidenceTypes: ['approval', 'qms.procedure'],
      description:
        'Responsibilities of management and staff for each aspect of the quality system are set out.',
    },
    {
      id: 'Art.19(1)',
      title: 'Automatically generated logs kept by the provider',
      evidenceTypes: ['decision.log', 'logging.config'],
      description:
        'Logs under the provider’s control are kept for a period suited to the purpose, at least six months.',
    },
    {
      id: 'Art.26(1)',
      title: 'Use in accordance with the instructions for use',
      evidenceTypes: ['qms.procedure', 'transparency.notice'],
      description:
        'The deployer takes technical and organisational measures so that the system is used as its instructions say.',
    },
    {
      id: 'Art.26(2)',
      title: 'Competent people assigned to human oversight',
      evidenceTypes: ['human.oversight', 'training.record'],
      description:
        'The deployer gives oversight to people with the necessary competence, training, authority and support.',
    },
    {
      id: 'Art.26(4)',
      title: 'Relevant and representative input data',
      evidenceTypes: ['data.quality'],
      description:
        'Where the deployer controls input data, it ensures the data is relevant and sufficiently representative for the intended purpose.',
    },
    {
      id: 'Art.26(5)',
      title: 'Operational monitoring and incident reporting by the deployer',
      evidenceTypes: ['monitoring.plan', 'incident.report'],
      description:
        'The deployer monitors operation, informs the provider of risks, suspends use when needed and reports serious incidents.',
    },
    {
      id: 'Art.26(6)',
      title: 'Automatically generated logs kept by the deployer',
      evidenceTypes: ['decision.log', 'logging.config'],
      description:
        'Logs under the deployer’s control are kept for a period suited to the purpose, at least six months.',
    },
    {
      id: 'Art.26(7)',
      title: 'Workers informed before workplace use',
      evidenceTypes: ['transparency.notice'],
      description:
        'Employers tell workers’ representatives and affected workers before a high-risk system is used at the workplace.',
    },
    {
      id: 'Art.26(9)',
      title: 'Data protection impact assessment',
      evidenceTypes: ['impact.assessment'],
      description:
        'Deployers use the provider’s information to carry out a data protection impact assessment where one is required.',
    },
    {
      id: 'Art.26(11)',
      title: 'Affected persons informed',
      evidenceTypes: ['transparency.notice'],
      description:
        'People subject to decisions made or assisted by an Annex III high-risk system are told that such a system is used.',
    },
    {
      id: 'Art.72(1)',
      title: 'Post-market monitoring system established',
      evidenceTypes: ['monitoring.plan'],
      description:
        'The provider sets up and documents post-market monitoring proportionate to the nature and risks of the system.',
    },
    {
      id: 'Art.72(2)',
      title: 'Performance data collected and analysed in operation',
      evidenceTypes: ['monitoring.plan', 'decision.log', 'eval.accuracy'],
      description:
        'Data on performance over the system’s lifetime is actively collected, documented and analysed to check continued compliance.',
    },
    {
      id: 'Art.72(3)',
      title: 'Post-market monitoring plan in the technical documentation',
      evidenceTypes: ['monitoring.plan', 'technical.documentation'],
      description: 'Monitoring follows a written plan that is part of the technical documentation.',
    },
  ],
};
