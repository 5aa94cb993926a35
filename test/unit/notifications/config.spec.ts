import { ConfigError, loadConfig } from '../../../src/infra/config/config';

describe('mail configuration', () => {
  it('keeps notifications in-app when SMTP_URL is unset, with a default sender', () => {
    expect(loadConfig({}).mail).toEqual({ smtpUrl: null, from: 'Planner Academy <no-reply@planner-academy.local>' });
  });

  it('accepts smtp:// and smtps:// URLs and a sender with or without a display name', () => {
    expect(loadConfig({ SMTP_URL: 'smtp://mailer:s3cret@mail.example:587', MAIL_FROM: 'no-reply@example.com' }).mail).toEqual({
      smtpUrl: 'smtp://mailer:s3cret@mail.example:587',
      from: 'no-reply@example.com',
    });
    expect(loadConfig({ SMTP_URL: 'smtps://mail.example:465', MAIL_FROM: '学院 <no-reply@example.com>' }).mail.from).toBe('学院 <no-reply@example.com>');
  });

  it.each([
    [{ SMTP_URL: "mail.example:25" }, /SMTP_URL="mail.example:25" must start with smtp:\/\/ or smtps:\/\//],
    [{ SMTP_URL: "smtp://" }, /SMTP_URL="smtp:\/\/" has no host: use the form smtp:\/\/user:password@host:587/],
    [{ SMTP_URL: 'http://user:topsecret@mail.example' }, /SMTP_URL="http:\/\/user:\*\*\*@mail.example" must start with smtp:\/\/ or smtps:\/\//],
    [{ MAIL_FROM: 'nobody' }, /MAIL_FROM="nobody" is not a sender address/],
    [{ MAIL_FROM: 'A <a@example.com>\nBcc: b@example.com' }, /MAIL_FROM=[^]* is not a sender address/],
  ])('refuses %j with a message that says what to fix', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('never repeats the SMTP password in an error', () => {
    let message = '';
    try {
      loadConfig({ SMTP_URL: 'ftp://user:topsecret@mail.example' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/SMTP_URL/);
    expect(message).not.toContain('topsecret');
  });
});
