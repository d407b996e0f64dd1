import type { FieldDef, ObjectDef, PackageDef } from '../engine/src/core/model.js';

/** CRM workload v1: the metadata package every target's schema mirrors. */
export const l = (en: string, zh = en) => ({ en, 'zh-CN': zh });
export const field = (name: string, type: FieldDef['type'], extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  label: l(name),
  type,
  ...extra,
});
export const object = (name: string, fields: FieldDef[], extra: Partial<ObjectDef> = {}): ObjectDef => ({
  name,
  label: l(name),
  pluralLabel: l(name + 's'),
  fields,
  ...extra,
});
const opts = (values: readonly string[]) => values.map((value, order) => ({ value, label: l(value), order }));

export const STAGES = [
  'prospecting',
  'qualification',
  'proposal',
  'negotiation',
  'commit',
  'closed_won',
  'closed_lost',
] as const;
export const REGIONS = ['east', 'north', 'south', 'west', 'central', 'overseas'] as const;
export const PRODUCT_LINES = ['core', 'cloud', 'services', 'hardware'] as const;
export const INDUSTRIES = ['it', 'energy', 'retail', 'finance', 'health'] as const;

export const accountObject = (): ObjectDef =>
  object('account', [
    field('name', 'text', { required: true, maxLength: 120 }),
    field('industry', 'picklist', { options: opts(INDUSTRIES) }),
    field('region', 'picklist', { options: opts(REGIONS) }),
  ]);

/** The load runs as a sales rep: profile checks, field-level security and row access apply. */
export const REP_PROFILE = 'bench_rep';
const crud = { create: true, read: true, edit: true, delete: true };

export function crmPackage(): PackageDef {
  return {
    name: 'bench-crm-v1',
    profiles: [
      {
        name: REP_PROFILE,
        label: l('Bench rep'),
        objects: { account: crud, opportunity: crud, deal: crud, visit: crud },
      },
    ],
    objects: [
      // Everyone reads every account and opportunity; only owners (and their managers) edit them.
      { ...accountObject(), sharing: { default: 'public_read' } },
      object(
        'opportunity',
        [
          field('name', 'text', { required: true, maxLength: 120 }),
          field('amount', 'currency', { precision: 14, scale: 2 }),
          field('stage', 'picklist', { options: opts(STAGES) }),
          field('close_date', 'date'),
          field('probability', 'percent', { min: 0, max: 100 }),
          field('account', 'lookup', { target: 'account' }),
          field('region', 'picklist', { options: opts(REGIONS) }),
          field('product_line', 'picklist', { options: opts(PRODUCT_LINES) }),
          field('description', 'textarea'),
          field('is_won', 'boolean'),
        ],
        { indexes: [{ fields: ['stage'] }, { fields: ['close_date'] }], sharing: { default: 'public_read' } },
      ),
      ...gatedObjects(),
    ],
    pipelines: [gatedPipeline()],
  };
}

/**
 * W7: deals whose stage pipeline gates every stage with two related-record items (a survey
 * visit and a demo visit). Separate objects, so W1–W6 run exactly as before.
 */
export const VISIT_KINDS = ['survey', 'demo', 'call'] as const;
const gate = () =>
  ['survey', 'demo'].map((kind) => ({
    kind: 'related_records',
    name: kind,
    object: 'visit',
    via: 'deal',
    filter: { kind: { eq: kind } },
  }));
function gatedObjects(): ObjectDef[] {
  return [
    object(
      'deal',
      [
        field('name', 'text', { required: true, maxLength: 120 }),
        field('amount', 'currency', { precision: 14, scale: 2 }),
        field('stage', 'picklist', { options: opts(['open_a', 'lost_b']) }),
      ],
      { sharing: { default: 'public_read_write' } },
    ),
    object(
      'visit',
      [
        field('name', 'text', { maxLength: 120 }),
        field('deal', 'lookup', { target: 'deal' }),
        field('kind', 'picklist', { options: opts(VISIT_KINDS) }),
      ],
      { sharing: { default: 'public_read' } },
    ),
  ];
}
/**
 * Both stages gated: leaving for the lost stage runs its gate, coming back (a reopening) runs the
 * open stage's, so every move of W7's toggle evaluates two related-record items.
 */
function gatedPipeline() {
  return {
    name: 'gated',
    object: 'deal',
    label: l('Gated'),
    field: 'stage',
    allowBack: true,
    stages: [
      { value: 'open_a', gate: gate() },
      { value: 'lost_b', category: 'lost' as const, gate: gate() },
    ],
  };
}
