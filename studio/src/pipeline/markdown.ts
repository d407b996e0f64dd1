import MarkdownIt from 'markdown-it';

/**
 * Stage guidance is markdown an administrator wrote. markdown-it with `html: false` escapes any
 * HTML in it and refuses javascript:/vbscript:/data: links, so its output is safe to put in the
 * page; links open in a new tab without access to this one.
 */
const md = new MarkdownIt({ html: false, linkify: false, breaks: true });
const defaultLink =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer');
  return defaultLink(tokens, idx, options, env, self);
};

export const renderMarkdown = (text: string): string => md.render(text);
