import Handlebars from 'handlebars';
import type { NotificationTemplateDef } from '../../core/approval-model.js';
import type { FieldIssue } from '../../core/errors.js';
import { LANGS, type I18nText, type Lang, type PackageDef } from '../../core/model.js';
import type { CompiledModel } from '../../metadata/compile.js';

/**
 * Notification texts: handlebars in both languages, compiled with `strict` (a name the context
 * lacks throws instead of printing nothing) and `knownHelpersOnly` (no helper beyond the
 * built-in if/unless/each/with), HTML-escaped, prototype access off (handlebars' default).
 * Compiled once per metadata version; packages override the built-ins by name.
 */
const hb = Handlebars.create();
const OPTIONS = { strict: true, knownHelpersOnly: true } as const;

/** The names a template may read; `record.<field>` holds the fields the recipient may read. */
export const TEMPLATE_NAMES = [
  'record',
  'object',
  'flow',
  'step',
  'submitter',
  'actor',
  'comment',
  'decision',
];

export const BUILTIN_TEMPLATES: NotificationTemplateDef[] = [
  {
    name: 'approval_requested',
    title: {
      en: '{{submitter}} asks you to approve {{object}} “{{record.name}}”',
      'zh-CN': '{{submitter}} 请你审批{{object}}“{{record.name}}”',
    },
    body: {
      en: '{{flow}}: step “{{step}}”.{{#if comment}} Comment: {{comment}}{{/if}}',
      'zh-CN': '{{flow}}：步骤“{{step}}”。{{#if comment}}备注：{{comment}}{{/if}}',
    },
  },
  {
    name: 'approval_decided',
    title: {
      en: 'Your request for {{object}} “{{record.name}}” was {{decision}}',
      'zh-CN': '你提交的{{object}}“{{record.name}}”审批已{{decision}}',
    },
    body: {
      en: '{{actor}}: {{decision}}.{{#if comment}} Comment: {{comment}}{{/if}}',
      'zh-CN': '{{actor}}：{{decision}}。{{#if comment}}意见：{{comment}}{{/if}}',
    },
  },
  {
    name: 'approval_recalled',
    title: {
      en: '{{submitter}} recalled the request for {{object}} “{{record.name}}”',
      'zh-CN': '{{submitter}} 撤回了{{object}}“{{record.name}}”的审批',
    },
  },
  {
    name: 'approval_overdue',
    title: {
      en: 'Overdue: {{object}} “{{record.name}}” is waiting for approval at “{{step}}”',
      'zh-CN': '已超时：{{object}}“{{record.name}}”在“{{step}}”等待审批',
    },
  },
];

export const templateNames = (pkg: PackageDef): Set<string> =>
  new Set([...BUILTIN_TEMPLATES, ...(pkg.notificationTemplates ?? [])].map((t) => t.name));

/** Every template of a package parses, uses known helpers only and reads known names. */
export function checkTemplates(pkg: PackageDef): FieldIssue[] {
  const issues: FieldIssue[] = [];
  (pkg.notificationTemplates ?? []).forEach((t, ti) => {
    for (const part of ['title', 'body'] as const)
      for (const lang of LANGS) {
        const src = t[part]?.[lang];
        if (src === undefined) continue;
        const at = `/notificationTemplates/${ti}/${part}/${lang}`;
        try {
          hb.precompile(src, OPTIONS);
          const unknown = unknownNames(hb.parse(src));
          if (unknown.length)
            issues.push({
              pointer: at,
              code: 'TEMPLATE_UNKNOWN_NAME',
              params: { names: unknown.join(', '), allowed: TEMPLATE_NAMES.join(', ') },
            });
        } catch (e) {
          issues.push({
            pointer: at,
            code: 'TEMPLATE_INVALID',
            params: { reason: (e as Error).message.split('\n')[0] },
          });
        }
      }
  });
  return issues;
}

/** Heads of paths a template reads that are not in TEMPLATE_NAMES (`this` and `@data` aside). */
function unknownNames(node: unknown, out = new Set<string>()): string[] {
  if (Array.isArray(node)) node.forEach((n) => unknownNames(n, out));
  else if (node && typeof node === 'object') {
    const n = node as { type?: string; data?: boolean; parts?: string[]; original?: string };
    if (n.type === 'PathExpression') {
      const head = n.parts?.[0];
      if (!n.data && head && n.original !== 'this' && !TEMPLATE_NAMES.includes(head)) out.add(head);
    } else for (const v of Object.values(n)) if (v && typeof v === 'object') unknownNames(v, out);
  }
  return [...out];
}

type Render = (ctx: Record<string, unknown>) => string;
interface CompiledTemplate {
  title: Record<Lang, Render>;
  body: Record<Lang, Render> | null;
}

const cache = new WeakMap<CompiledModel, Map<string, CompiledTemplate>>();
const compileText = (t: I18nText): Record<Lang, Render> => ({
  en: hb.compile(t.en, OPTIONS),
  'zh-CN': hb.compile(t['zh-CN'], OPTIONS),
});

/** The model's templates (built-ins, then the package's by name), compiled once per version. */
function templatesOf(model: CompiledModel): Map<string, CompiledTemplate> {
  let m = cache.get(model);
  if (m) return m;
  m = new Map();
  for (const t of [...BUILTIN_TEMPLATES, ...(model.pkg.notificationTemplates ?? [])])
    m.set(t.name, { title: compileText(t.title), body: t.body ? compileText(t.body) : null });
  cache.set(model, m);
  return m;
}

const builtin = new Map(
  BUILTIN_TEMPLATES.map((t) => [
    t.name,
    { title: compileText(t.title), body: t.body ? compileText(t.body) : null },
  ]),
);

/**
 * A notification's title and body in both languages. A package template that fails for this
 * context (strict: it reads a name the context lacks) falls back to the built-in of that name.
 */
export function renderTemplate(
  model: CompiledModel,
  name: string,
  ctx: Record<Lang, Record<string, unknown>>,
): { title: I18nText; body: I18nText | null } {
  const run = (t: CompiledTemplate) => ({
    title: { en: t.title.en(ctx.en), 'zh-CN': t.title['zh-CN'](ctx['zh-CN']) },
    body: t.body ? { en: t.body.en(ctx.en), 'zh-CN': t.body['zh-CN'](ctx['zh-CN']) } : null,
  });
  const t = templatesOf(model).get(name);
  try {
    if (t) return run(t);
  } catch {
    // fall through to the built-in
  }
  const b = builtin.get(name) ?? builtin.get('approval_requested')!;
  return run(b);
}
