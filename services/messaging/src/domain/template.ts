/**
 * Campaign templates: `{{attribute}}` placeholders with an optional fallback after a bar,
 * `{{first_name|there}}`. A placeholder names a contact attribute, or `name` / `phone` (the
 * contact's own fields, unless an attribute has that name). Spaces inside the braces are
 * ignored. A placeholder without a value and without a fallback renders as nothing and is
 * reported, so a preview can say which contacts lack it.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|([^}]*))?\}\}/g;

export interface TemplateContact {
  name: string | null;
  phoneNumber: string;
  attributes: Readonly<Record<string, string>>;
}

export interface Rendered {
  text: string;
  /** Placeholders that had neither a value nor a fallback. */
  missing: string[];
}

export function renderTemplate(template: string, contact: TemplateContact): Rendered {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (_match, key: string, fallback?: string) => {
    const value = valueOf(key, contact);
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback.trim();
    missing.push(key);
    return '';
  });
  return { text, missing };
}

/** The placeholders a template uses (for checks when a campaign is created). */
export function placeholdersOf(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

function valueOf(key: string, contact: TemplateContact): string | undefined {
  const attribute = contact.attributes[key];
  if (attribute !== undefined) return attribute;
  if (key === 'name') return contact.name ?? undefined;
  if (key === 'phone') return contact.phoneNumber;
  return undefined;
}
