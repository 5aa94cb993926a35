import { ConfigError, loadConfig } from '../../../src/infra/config/config';

describe('configuration', () => {
  it('defaults to the local Postgres and Redis on port 3000', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/planner_academy');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
    expect(config.loginThrottle).toEqual({ accountFailures: 10, ipFailures: 30, windowMinutes: 15 });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT="eighty" is not valid/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL="not a url" is not a URL/],
    [{ SESSION_SECRET: 'short' }, /at least 32 characters/],
    [{ NODE_ENV: 'production' }, /SESSION_SECRET is required in production/],
    [{ ADMIN_PASSWORD: 'short' }, /ADMIN_PASSWORD must be at least 10/],
    [{ COOKIE_SECURE: 'maybe' }, /COOKIE_SECURE="maybe" is not valid/],
  ])('refuses %j with a message that says what to fix', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(ConfigError);
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });
});
