import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('Config', () => {
  describe('when nothing is set', () => {
    it('starts embedded on port 3000 with ./data', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({
        MODE: 'embedded',
        PORT: 3000,
        DATA_DIR: './data',
        BODY_LIMIT: 262144,
        REALTIME_MAX_MESSAGE_BYTES: 16384,
      });
      expect(config.CORS_ORIGINS).toEqual([]);
    });

    it('gives embedded PGlite a 16MB page cache and V8\'s baseline WebAssembly compiler (docs/operations.md "Memory")', () => {
      expect(loadConfig({})).toMatchObject({ PGLITE_SHARED_BUFFERS: '16MB', PGLITE_WASM_COMPILER: 'baseline' });
      expect(loadConfig({ PGLITE_SHARED_BUFFERS: '256MB' }).PGLITE_SHARED_BUFFERS).toBe('256MB');
    });
  });

  describe('when values are given', () => {
    it('parses sizes, lists and booleans', () => {
      const config = loadConfig({
        BODY_LIMIT: '1mb',
        CORS_ORIGINS: 'http://a.test, http://b.test',
        TRUST_PROXY: 'true',
      });
      expect(config.BODY_LIMIT).toBe(1024 * 1024);
      expect(config.CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
      expect(config.TRUST_PROXY).toBe(true);
      expect(loadConfig({ REALTIME_MAX_MESSAGE_BYTES: '64kb' }).REALTIME_MAX_MESSAGE_BYTES).toBe(64 * 1024);
    });
  });

  describe('when a value is invalid', () => {
    it('fails naming the variable', () => {
      expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
      expect(() => loadConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
      expect(() => loadConfig({ MODE: 'galaxy' })).toThrow(ConfigError);
      // Below 1 KiB not even the handshake's access token would fit.
      expect(() => loadConfig({ REALTIME_MAX_MESSAGE_BYTES: '512' })).toThrow(/REALTIME_MAX_MESSAGE_BYTES/);
    });

    it('refuses a PGlite page cache PostgreSQL would not read, and a compiler it does not know', () => {
      for (const size of ['16', '0MB', '16 MB', '16mb', '16MB; fsync=off', '-1GB'])
        expect(() => loadConfig({ PGLITE_SHARED_BUFFERS: size })).toThrow(/PGLITE_SHARED_BUFFERS/);
      expect(() => loadConfig({ PGLITE_WASM_COMPILER: 'turbo' })).toThrow(/PGLITE_WASM_COMPILER/);
    });

    it('requires a JWT secret in production', () => {
      expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    });
  });

  describe('observability settings', () => {
    it('keep tracing and error reporting off unless asked', () => {
      const config = loadConfig({});
      expect(config).toMatchObject({ OTEL_EXPORTER: 'none', OTEL_TRACES_SAMPLER_RATIO: 1 });
      expect(config.ERROR_REPORTING_DSN).toBeUndefined();
    });

    it('take an exporter, a collector URL, a ratio and a DSN, and refuse what they cannot use', () => {
      const config = loadConfig({
        OTEL_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_SAMPLER_RATIO: '0.25',
        ERROR_REPORTING_DSN: 'https://k@errors.test/1',
      });
      expect(config).toMatchObject({
        OTEL_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_TRACES_SAMPLER_RATIO: 0.25,
      });
      expect(() => loadConfig({ OTEL_EXPORTER: 'zipkin' })).toThrow(/OTEL_EXPORTER/);
      expect(() => loadConfig({ OTEL_TRACES_SAMPLER_RATIO: '2' })).toThrow(/OTEL_TRACES_SAMPLER_RATIO/);
      expect(() => loadConfig({ ERROR_REPORTING_DSN: 'ftp://errors.test' })).toThrow(/ERROR_REPORTING_DSN/);
    });
  });

  describe('e-mail notifications', () => {
    it('are off unless SMTP_URL is set', () => {
      expect(loadConfig({}).SMTP_URL).toBeUndefined();
      expect(
        loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'PrimeTrade <no-reply@example.test>' }),
      ).toMatchObject({
        SMTP_URL: 'smtp://127.0.0.1:2525',
        MAIL_FROM: 'PrimeTrade <no-reply@example.test>',
        DUE_SOON_SCAN_INTERVAL_MS: 60_000,
      });
    });

    it('require MAIL_FROM with SMTP_URL', () => {
      expect(() => loadConfig({ SMTP_URL: 'smtps://mail.example.test' })).toThrow(
        /MAIL_FROM: required when SMTP_URL is set/,
      );
    });

    it('refuse another kind of URL or a From without an address, without echoing the value', () => {
      const secret = 'http://user:hunter2@mail.example.test';
      const error = (() => {
        try {
          loadConfig({ SMTP_URL: secret, MAIL_FROM: 'nobody' });
        } catch (caught) {
          return caught as Error;
        }
        return null;
      })();
      expect(error?.message).toMatch(/SMTP_URL: an smtp:\/\/ or smtps:\/\/ URL[\s\S]*MAIL_FROM/);
      expect(error?.message).not.toContain('hunter2');
    });
  });

  describe('in cluster mode', () => {
    const cluster = {
      MODE: 'cluster',
      JWT_SECRET: 'a'.repeat(40),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/primetrade',
      KAFKA_BROKERS: '127.0.0.1:9092,127.0.0.1:9093',
      REDIS_URL: 'redis://127.0.0.1:6379',
    };

    it('takes the services from the environment, with the design’s defaults', () => {
      const config = loadConfig(cluster);
      expect(config).toMatchObject({
        MODE: 'cluster',
        EVENT_STORE: 'postgres',
        KAFKA_TOPIC: 'taskboard.board-events',
        KAFKA_PARTITIONS: 8,
        RELAY_LEASE_TTL_MS: 6000,
      });
      expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    });

    it('names every missing setting at once', () => {
      expect(() => loadConfig({ MODE: 'cluster' })).toThrow(
        /JWT_SECRET[\s\S]*DATABASE_URL[\s\S]*KAFKA_BROKERS[\s\S]*REDIS_URL/,
      );
      expect(() => loadConfig({ ...cluster, EVENT_STORE: 'eventstoredb' })).toThrow(/EVENT_STORE_URL/);
    });

    it('refuses URLs of the wrong kind and a topic name Kafka would refuse', () => {
      expect(() => loadConfig({ ...cluster, DATABASE_URL: 'mysql://db/x' })).toThrow(/DATABASE_URL/);
      expect(() => loadConfig({ ...cluster, REDIS_URL: 'http://cache' })).toThrow(/REDIS_URL/);
      expect(() => loadConfig({ ...cluster, KAFKA_TOPIC: 'no spaces allowed' })).toThrow(/KAFKA_TOPIC/);
    });
  });
});
