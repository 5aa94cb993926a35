/**
 * The part of the QTI 2.1/2.2/3.0 item schemas the importer checks: which attributes the QTI
 * elements it reads may carry, enumerated values, and required attributes. Names are the QTI 2
 * camelCase forms (QTI 3 kebab-case `qti-…` names are converted before the check). HTML content
 * elements are not checked.
 */

const GLOBAL_ATTRIBUTES = new Set(['id', 'class', 'label', 'lang', 'xml:lang', 'xml:base', 'dir', 'role', 'xmlns', 'translate']);

export function isGlobalAttribute(name: string): boolean {
  return (
    GLOBAL_ATTRIBUTES.has(name) ||
    name.startsWith('xmlns:') ||
    name.startsWith('xsi:') ||
    name.startsWith('data-') ||
    name.startsWith('aria-') ||
    name.startsWith('xml:')
  );
}

const CHOICE = ['identifier', 'fixed', 'templateIdentifier', 'showHide'];
const STRING_INTERACTION = ['responseIdentifier', 'base', 'stringIdentifier', 'expectedLength', 'patternMask', 'placeholderText', 'format'];
const FEEDBACK = ['outcomeIdentifier', 'identifier', 'showHide'];

export const QTI_ATTRIBUTES: Record<string, readonly string[]> = {
  assessmentItem: ['identifier', 'title', 'label', 'toolName', 'toolVersion', 'adaptive', 'timeDependent'],
  responseDeclaration: ['identifier', 'cardinality', 'baseType'],
  outcomeDeclaration: [
    'identifier',
    'cardinality',
    'baseType',
    'view',
    'interpretation',
    'longInterpretation',
    'normalMaximum',
    'normalMinimum',
    'masteryValue',
    'externalScored',
    'variableIdentifierRef',
  ],
  templateDeclaration: ['identifier', 'cardinality', 'baseType', 'paramVariable', 'mathVariable'],
  contextDeclaration: ['identifier', 'cardinality', 'baseType'],
  correctResponse: ['interpretation'],
  defaultValue: ['interpretation'],
  mapping: ['lowerBound', 'upperBound', 'defaultValue'],
  mapEntry: ['mapKey', 'mappedValue', 'caseSensitive'],
  areaMapping: ['lowerBound', 'upperBound', 'defaultValue'],
  areaMapEntry: ['shape', 'coords', 'mappedValue'],
  itemBody: [],
  prompt: [],
  choiceInteraction: ['responseIdentifier', 'shuffle', 'maxChoices', 'minChoices', 'orientation', 'minSelectionsMessage', 'maxSelectionsMessage'],
  orderInteraction: ['responseIdentifier', 'shuffle', 'maxChoices', 'minChoices', 'orientation'],
  simpleChoice: CHOICE,
  textEntryInteraction: STRING_INTERACTION,
  extendedTextInteraction: [...STRING_INTERACTION, 'maxStrings', 'minStrings', 'expectedLines'],
  matchInteraction: ['responseIdentifier', 'shuffle', 'maxAssociations', 'minAssociations'],
  associateInteraction: ['responseIdentifier', 'shuffle', 'maxAssociations', 'minAssociations'],
  simpleMatchSet: [],
  simpleAssociableChoice: [...CHOICE, 'matchGroup', 'matchMax', 'matchMin'],
  responseProcessing: ['template', 'templateLocation'],
  feedbackBlock: FEEDBACK,
  feedbackInline: FEEDBACK,
  modalFeedback: [...FEEDBACK, 'title'],
  rubricBlock: ['view', 'use'],
  stylesheet: ['href', 'type', 'media', 'title'],
};

export const QTI_REQUIRED: Record<string, readonly string[]> = {
  assessmentItem: ['identifier'],
  responseDeclaration: ['identifier', 'cardinality'],
  outcomeDeclaration: ['identifier', 'cardinality'],
  choiceInteraction: ['responseIdentifier'],
  orderInteraction: ['responseIdentifier'],
  textEntryInteraction: ['responseIdentifier'],
  extendedTextInteraction: ['responseIdentifier'],
  matchInteraction: ['responseIdentifier'],
  associateInteraction: ['responseIdentifier'],
  simpleChoice: ['identifier'],
  simpleAssociableChoice: ['identifier', 'matchMax'],
  mapEntry: ['mapKey', 'mappedValue'],
};

const BOOLEAN = ['true', 'false', '1', '0'];
export const QTI_ENUMS: Record<string, readonly string[]> = {
  cardinality: ['single', 'multiple', 'ordered', 'record'],
  baseType: ['identifier', 'boolean', 'integer', 'float', 'string', 'point', 'pair', 'directedPair', 'duration', 'file', 'uri', 'intOrIdentifier'],
  showHide: ['show', 'hide'],
  shuffle: BOOLEAN,
  fixed: BOOLEAN,
  adaptive: BOOLEAN,
  timeDependent: BOOLEAN,
  caseSensitive: BOOLEAN,
  toleranceMode: ['exact', 'absolute', 'relative'],
  roundingMode: ['significantFigures', 'decimalPlaces'],
};

export const QTI_INTEGER_ATTRIBUTES = new Set(['maxChoices', 'minChoices', 'maxAssociations', 'minAssociations', 'matchMax', 'matchMin', 'expectedLength', 'expectedLines', 'maxStrings', 'minStrings']);
export const QTI_NUMBER_ATTRIBUTES = new Set(['mappedValue', 'lowerBound', 'upperBound', 'normalMaximum', 'normalMinimum', 'masteryValue']);

/** Interactions the importer turns into questions. */
export const SUPPORTED_INTERACTIONS = new Set([
  'choiceInteraction',
  'orderInteraction',
  'textEntryInteraction',
  'extendedTextInteraction',
  'matchInteraction',
  'associateInteraction',
]);

export const UNSUPPORTED_INTERACTIONS: Record<string, string> = {
  inlineChoiceInteraction: 'inline choice',
  gapMatchInteraction: 'gap match',
  hottextInteraction: 'hot text',
  hotspotInteraction: 'hotspot',
  selectPointInteraction: 'select point',
  graphicOrderInteraction: 'graphic order',
  graphicAssociateInteraction: 'graphic associate',
  graphicGapMatchInteraction: 'graphic gap match',
  positionObjectInteraction: 'position object',
  sliderInteraction: 'slider',
  mediaInteraction: 'media',
  drawingInteraction: 'drawing',
  uploadInteraction: 'file upload',
  customInteraction: 'custom',
  portableCustomInteraction: 'portable custom (PCI)',
};

/** LOM catalog naming the bank and question ids our exporter writes into the manifest. */
export const LOM_CATALOG = 'planner-academy';
/** IEEE LOM educational difficulty vocabulary, easiest first (difficulty 1…5). */
export const DIFFICULTY_WORDS: readonly string[] = ['very easy', 'easy', 'medium', 'difficult', 'very difficult'];
