import { describe, expect, it } from 'vitest';
import { RebuildError, splitStatements } from './readModelSchema.js';

describe('splitStatements', () => {
  it('splits at top-level semicolons and drops comments and empty statements', () => {
    const script = '-- a comment; with a semicolon\nCREATE TABLE a (x int); /* block; */ CREATE INDEX a_x ON a (x);\n;';
    expect(splitStatements(script)).toEqual(['CREATE TABLE a (x int)', 'CREATE INDEX a_x ON a (x)']);
  });

  it('keeps semicolons inside quoted strings and identifiers, doubled quotes included', () => {
    const script = `CREATE TABLE "we;ird" (x text DEFAULT 'it''s; fine'); SELECT 1`;
    expect(splitStatements(script)).toEqual([`CREATE TABLE "we;ird" (x text DEFAULT 'it''s; fine')`, 'SELECT 1']);
  });

  it('refuses dollar quoting and unterminated quotes instead of guessing', () => {
    expect(() => splitStatements('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql')).toThrow(
      RebuildError,
    );
    expect(() => splitStatements("SELECT 'open")).toThrow(/unterminated/);
  });
});
