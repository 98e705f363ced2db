import { renderMail } from './templates';

describe('mail templates', () => {
  it('puts the link in the text and the html', () => {
    const mail = renderMail('VERIFY_EMAIL', {
      link: 'https://app.example/verify-email?token=sbv_abc',
    });
    expect(mail.subject).toBe('Confirm your email address');
    expect(mail.text).toContain('https://app.example/verify-email?token=sbv_abc');
    expect(mail.html).toContain('href="https://app.example/verify-email?token=sbv_abc"');
  });

  it('escapes variables in html and drops non-http links', () => {
    const mail = renderMail('INVITATION', {
      link: 'javascript:alert(1)',
      org_name: '<b>Acme</b>',
      inviter_name: 'Eve "the boss"',
    });
    expect(mail.html).toContain('&lt;b&gt;Acme&lt;/b&gt;');
    expect(mail.html).not.toContain('javascript:');
    expect(mail.text).not.toContain('javascript:');
    expect(mail.subject).toBe('Join <b>Acme</b> on Switchboard');
  });
});
