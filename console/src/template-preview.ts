// The campaign form's live preview: the template rendered the way messaging renders it (the one
// template module, imported by file so the bundle takes only it) for a contact with no
// attributes — fallbacks show, placeholders without one are listed — with its segment count.
import { renderTemplate } from '../../services/messaging/src/domain/template';
import { composerCount, type ComposerCount } from './composer';

export interface TemplatePreview {
  text: string;
  /** Placeholders without a fallback: empty for contacts that lack the attribute. */
  missing: string[];
  count: ComposerCount;
}

export function templatePreview(template: string): TemplatePreview {
  const { text, missing } = renderTemplate(template, {
    name: null,
    phoneNumber: '+15555550100',
    attributes: {},
  });
  return { text, missing, count: composerCount(text) };
}
