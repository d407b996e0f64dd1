// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

/**
 * Engine layers, lowest first. A module may import only from its own layer or lower ones
 * (docs/architecture.md). The first five are pure: the studio imports them too.
 */
const LAYERS = [
  'core',
  'fields',
  'rules',
  'metadata',
  'validation',
  'db',
  'schema-sync',
  'tenancy',
  'records',
  'security',
  'rule-steps',
  'processes',
  'api',
];
const PURE = new Set(['core', 'fields', 'rules', 'metadata', 'validation']);
const SERVER_ONLY = ['node:*', 'knex', 'pg', 'pg-*', 'express', '@electric-sql/*', 'knex-pglite'];

const layerRules = LAYERS.map((layer, i) => {
  const higher = LAYERS.slice(i + 1);
  const patterns = [
    ...(higher.length
      ? [
          {
            group: higher.flatMap((h) => [`**/${h}/*`, `**/${h}/**`]),
            message: `${layer}/ must not import a higher layer (${higher.join(', ')}).`,
          },
        ]
      : []),
    { group: ['**/engine.js', '**/main.js'], message: 'Only the composition root imports the engine.' },
    ...(PURE.has(layer)
      ? [{ group: SERVER_ONLY, message: `${layer}/ is pure (the studio imports it): no node, knex or pg.` }]
      : []),
  ];
  return {
    files: [`engine/src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
});

// SQL text is built by interpolation in exactly one module: engine/src/schema-sync/ddl.ts.
const RAW_CALL =
  'CallExpression[callee.property.name=/^(raw|whereRaw|orWhereRaw|andWhereRaw|havingRaw|orderByRaw|joinRaw|selectRaw|fromRaw|query)$/]';
/**
 * Prettier owns formatting, .vue templates included. These are the layout rules (meta.type
 * "layout") that eslint-plugin-vue's flat/recommended turns on: they only restate, and often
 * contradict, what Prettier prints, so they are off, as eslint-config-prettier would switch them
 * off. Every rule about meaning (props, events, v-if/v-for, reserved names…) stays on.
 */
const VUE_FORMATTING_OFF = Object.fromEntries(
  [
    'vue/first-attribute-linebreak',
    'vue/html-closing-bracket-newline',
    'vue/html-closing-bracket-spacing',
    'vue/html-indent',
    'vue/html-quotes',
    'vue/html-self-closing',
    'vue/max-attributes-per-line',
    'vue/multiline-html-element-content-newline',
    'vue/mustache-interpolation-spacing',
    'vue/no-multi-spaces',
    'vue/no-spaces-around-equal-signs-in-attribute',
    'vue/singleline-html-element-content-newline',
  ].map((rule) => [rule, 'off']),
);

const noSqlInterpolation = {
  files: ['**/*.ts'],
  ignores: ['engine/src/schema-sync/ddl.ts'],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: `${RAW_CALL} > TemplateLiteral.arguments[expressions.length>0]`,
        message:
          'No SQL by interpolation: bind values with ? and identifiers with ?? (only schema-sync/ddl.ts renders DDL).',
      },
      {
        selector: `${RAW_CALL} > BinaryExpression.arguments[operator='+']`,
        message: 'No SQL by concatenation: bind values with ? and identifiers with ??.',
      },
    ],
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'studio/dist/**',
      'dist/**',
      'data/**',
      'coverage/**',
      'bench/results/**',
      'screenshots/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] },
      globals: globals.browser,
    },
  },
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      ...VUE_FORMATTING_OFF,
    },
  },
  ...layerRules,
  {
    files: ['studio/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                ...['db', 'schema-sync', 'tenancy', 'records', 'security', 'rule-steps', 'api'].map(
                  (l) => `**/engine/src/${l}/**`,
                ),
                '**/engine/src/engine.js',
                '**/engine/src/main.js',
                ...SERVER_ONLY,
              ],
              message:
                'The studio may import only the pure engine layers (core, fields, rules, metadata, validation).',
            },
          ],
        },
      ],
    },
  },
  noSqlInterpolation,
);
