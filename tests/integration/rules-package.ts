import type { PackageDef } from '../../engine/src/core/model.js';
import { field, l, object, opts } from '../helpers/packages.js';

/** A sales process with every rule kind (used by the rules-*.test.ts files). */
export function rulesPackage(): PackageDef {
  return {
    name: 'rules-sales',
    objects: [
      object(
        'account',
        [
          field('name', 'text', { required: true }),
          field('region', 'picklist', { options: opts('east', 'north', 'south') }),
          field('phone', 'phone'),
          field('opp_count', 'rollup', { summary: { object: 'opportunity', via: 'account', fn: 'count' } }),
          field('won_amount', 'rollup', {
            summary: {
              object: 'opportunity',
              via: 'account',
              fn: 'sum',
              field: 'amount',
              filter: { stage: { eq: 'closed_won' } },
            },
          }),
          field('max_amount', 'rollup', {
            summary: { object: 'opportunity', via: 'account', fn: 'max', field: 'amount' },
          }),
        ],
        {
          duplicateRules: [
            {
              name: 'same_company',
              label: l('Same company', '同名公司'),
              match: [{ field: 'name', normalize: 'company' }],
              action: 'warn',
            },
            { name: 'same_phone', match: [{ field: 'phone' }], action: 'block' },
          ],
        },
      ),
      object(
        'opportunity',
        [
          field('name', 'text', { required: true, maxLength: 120 }),
          field('amount', 'currency', { precision: 14, scale: 2 }),
          field('probability', 'percent', { min: 0, max: 100 }),
          field('stage', 'picklist', {
            options: opts('prospecting', 'negotiation', 'closed_won', 'closed_lost'),
          }),
          field('close_date', 'date', { defaultExpression: { add_days: [{ today: [] }, 30] } }),
          field('account', 'lookup', { target: 'account' }),
          field('loss_reason', 'textarea', { requiredIf: { '==': [{ var: 'stage' }, 'closed_lost'] } }),
          field('discount', 'percent', {
            readOnlyIf: { in: [{ var: 'stage' }, ['closed_won', 'closed_lost']] },
          }),
          field('product_line', 'picklist', { options: opts('hvac', 'logistics') }),
          field('product_series', 'picklist', {
            options: opts('chiller', 'vrf', 'cold_chain', 'express'),
            controllingField: 'product_line',
            dependencies: { hvac: ['chiller', 'vrf'], logistics: ['cold_chain', 'express'] },
          }),
          field('weighted', 'formula', {
            returnType: 'currency',
            expression: { round: [{ '/': [{ '*': [{ var: 'amount' }, { var: 'probability' }] }, 100] }, 2] },
          }),
          field('account_region', 'formula', { returnType: 'text', expression: { var: 'account.region' } }),
          field('code', 'formula', {
            returnType: 'text',
            expression: {
              cat: [{ upper: [{ var: 'product_line' }] }, '-', { year: [{ var: 'close_date' }] }],
            },
          }),
          field('visit_count', 'rollup', {
            summary: {
              object: 'activity',
              via: 'opportunity',
              fn: 'count',
              filter: { type: { eq: 'executive_visit' } },
            },
          }),
          field('split_total', 'rollup', {
            summary: { object: 'split', via: 'opportunity', fn: 'sum', field: 'share' },
          }),
        ],
        {
          validationRules: [
            {
              name: 'amount_not_negative',
              condition: { '<': [{ var: 'amount' }, 0] },
              message: l('The amount cannot be negative.', '金额不能为负数。'),
              field: 'amount',
            },
            {
              name: 'close_date_not_past',
              condition: {
                and: [{ changed: ['close_date'] }, { '<': [{ var: 'close_date' }, { today: [] }] }],
              },
              message: l('The close date cannot be in the past.', '预计成交日期不能早于今天。'),
              field: 'close_date',
            },
            {
              name: 'won_needs_full_split',
              condition: {
                and: [{ '==': [{ var: 'stage' }, 'closed_won'] }, { '!=': [{ var: 'split_total' }, 100] }],
              },
              message: l(
                'Split the performance 100% before closing as won.',
                '赢单前业绩拆分合计必须为 100%。',
              ),
              field: 'stage',
            },
            {
              name: 'inactive_rule',
              active: false,
              condition: true,
              message: l('never', '从不'),
            },
          ],
        },
      ),
      object('activity', [
        field('subject', 'text', { required: true }),
        field('type', 'picklist', { options: opts('call', 'executive_visit', 'tech_exchange') }),
        field('opportunity', 'master_detail', { target: 'opportunity' }),
      ]),
      object('split', [
        field('person', 'text', { required: true }),
        field('share', 'percent', { min: 0, max: 100 }),
        field('opportunity', 'master_detail', { target: 'opportunity' }),
      ]),
    ],
  };
}
