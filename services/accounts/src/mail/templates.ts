import type { EmailTemplate } from '../events/accounts-events';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** Only http(s) links make it into a mail. */
function safeLink(value: string | undefined): string {
  if (!value) return '';
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : '';
  } catch {
    return '';
  }
}

function mail(
  subject: string,
  paragraphs: string[],
  link?: { label: string; href: string },
): RenderedMail {
  const text = [...paragraphs, ...(link?.href ? [`${link.label}: ${link.href}`] : [])].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(link?.href
      ? [`<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>`]
      : []),
  ].join('\n');
  return { subject, text: `${text}\n\n— Switchboard\n`, html: `${html}\n<p>— Switchboard</p>` };
}

/** The transactional mails (English; `locale` is accepted for when more languages exist). */
export function renderMail(
  template: EmailTemplate,
  variables: Record<string, string>,
): RenderedMail {
  const link = safeLink(variables.link);
  switch (template) {
    case 'VERIFY_EMAIL':
      return mail(
        'Confirm your email address',
        ['Please confirm your email address for Switchboard.'],
        {
          label: 'Confirm email address',
          href: link,
        },
      );
    case 'PASSWORD_RESET':
      return mail(
        'Reset your Switchboard password',
        [
          'Someone asked to reset the password of your Switchboard account. If it was not you, ignore this mail.',
        ],
        { label: 'Choose a new password', href: link },
      );
    case 'INVITATION':
      return mail(
        `Join ${variables.org_name ?? 'an organization'} on Switchboard`,
        [
          `${variables.inviter_name ?? 'A teammate'} invited you to join ${variables.org_name ?? 'their organization'} on Switchboard.`,
        ],
        { label: 'Accept the invitation', href: link },
      );
    case 'ORGANIZATION_DELETION_SCHEDULED':
      return mail(`${variables.org_name ?? 'Your organization'} will be deleted`, [
        `${variables.org_name ?? 'Your organization'} was closed. Its data will be deleted on ${variables.purge_at ?? 'the purge date'}.`,
        'Until then an owner can cancel the closure from the settings.',
      ]);
    case 'SECURITY_ALERT':
      return mail('Security notice for your Switchboard account', [
        variables.event ?? 'Something changed in your account.',
        `Time: ${variables.time ?? ''}`,
        'If this was not you, reset your password.',
      ]);
    case 'DATA_EXPORT_READY':
      return mail(
        'Your Switchboard data export is ready',
        [
          `The export you asked for is ready. The link works until ${variables.expires_at ?? 'it expires'}.`,
        ],
        { label: 'Download the export', href: link },
      );
    case 'WEBHOOK_ENDPOINT_DISABLED':
      return mail('A webhook endpoint was disabled', [
        `Switchboard stopped sending webhooks to ${variables.endpoint_url ?? 'one of your endpoints'}: it has failed since ${variables.failing_since ?? 'several days ago'} and was disabled at ${variables.disabled_at ?? 'now'}.`,
        'Events are kept in its delivery log. Fix the receiver, enable the endpoint again and replay what it missed.',
      ]);
    case 'LOW_BALANCE':
      return mail('Your Switchboard balance is low', [
        `Your prepaid balance is ${variables.balance ?? 'low'}, below your alert threshold of ${variables.threshold ?? 'the threshold you set'}.`,
        'Sends stop when the balance runs out. Top up from the billing page, or turn on auto-recharge.',
      ]);
    case 'OWNER_NOTICE':
      return mail(variables.subject || 'Your Switchboard organization needs attention', [
        variables.text || 'Something in your organization needs your attention.',
      ]);
  }
}
