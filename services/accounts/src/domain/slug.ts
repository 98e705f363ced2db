/**
 * Organization slugs are DNS labels: the organization's subdomain (`acme.switchboard.example`).
 * Lower-case letters, digits and hyphens, 3–63 characters, starting and ending with a letter
 * or digit, no `--` in positions 3–4 (reserved for IDNA `xn--` labels), and not a name the
 * platform uses itself.
 */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'about',
  'account',
  'accounts',
  'admin',
  'administrator',
  'api',
  'app',
  'apps',
  'assets',
  'auth',
  'autoconfig',
  'autodiscover',
  'billing',
  'blog',
  'cdn',
  'compliance',
  'console',
  'dashboard',
  'dev',
  'developer',
  'developers',
  'devices',
  'docs',
  'email',
  'ftp',
  'gateway',
  'ghl',
  'graphql',
  'help',
  'imap',
  'internal',
  'localhost',
  'login',
  'logout',
  'mail',
  'messaging',
  'metrics',
  'mx',
  'ns',
  'ns1',
  'ns2',
  'oauth',
  'pop',
  'pop3',
  'root',
  'security',
  'signin',
  'signup',
  'smtp',
  'sso',
  'staging',
  'static',
  'status',
  'support',
  'switchboard',
  'system',
  'test',
  'webhook',
  'webhooks',
  'webmail',
  'www',
]);

export type SlugProblem = 'length' | 'characters' | 'edges' | 'idna' | 'reserved';

const ALLOWED = /^[a-z0-9-]+$/;

/** Why `slug` is not acceptable, or undefined when it is. */
export function slugProblem(slug: string): SlugProblem | undefined {
  if (slug.length < 3 || slug.length > 63) return 'length';
  if (!ALLOWED.test(slug)) return 'characters';
  if (slug.startsWith('-') || slug.endsWith('-')) return 'edges';
  if (slug.slice(2, 4) === '--') return 'idna';
  if (RESERVED_SLUGS.has(slug)) return 'reserved';
  return undefined;
}

export const slugProblemMessages: Record<SlugProblem, string> = {
  length: 'The slug must be 3 to 63 characters long',
  characters: 'The slug may contain only lower-case letters, digits and hyphens',
  edges: 'The slug must start and end with a letter or digit',
  idna: 'The slug may not have "--" in its third and fourth characters',
  reserved: 'This slug is reserved',
};

/** A slug suggestion from an organization name: "Acme Corp." → "acme-corp". */
export function slugFromName(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return base.slice(2, 4) === '--' ? base.replace(/-{2,}/g, '-') : base;
}
