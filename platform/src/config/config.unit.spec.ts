import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('Config', () => {
  describe('when nothing is set', () => {
    it('starts embedded on port 3000 with ./data', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({ MODE: 'embedded', PORT: 3000, DATA_DIR: './data', BODY_LIMIT: 262144 });
      expect(config.CORS_ORIGINS).toEqual([]);
    });
  });

  describe('when values are given', () => {
    it('parses sizes, lists and booleans', () => {
      const config = loadConfig({ BODY_LIMIT: '1mb', CORS_ORIGINS: 'http://a.test, http://b.test', TRUST_PROXY: 'true' });
      expect(config.BODY_LIMIT).toBe(1024 * 1024);
      expect(config.CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
      expect(config.TRUST_PROXY).toBe(true);
    });
  });

  describe('when a value is invalid', () => {
    it('fails naming the variable', () => {
      expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
      expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
      expect(() => loadConfig({ MODE: 'galaxy' })).toThrow(ConfigError);
    });

    it('requires a JWT secret in production', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    });
  });
});
