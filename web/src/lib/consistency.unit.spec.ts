import { describe, expect, it } from 'vitest';
import { boardOfWrite, learnTasks, minRevisionFor, WriteTokens } from './consistency.js';

const a = '00000000-0000-4000-8000-00000000000a';
const b = '00000000-0000-4000-8000-00000000000b';
const task = '00000000-0000-4000-8000-0000000000f1';

function tokensAt(start = 1_000_000) {
  let now = start;
  const tokens = new WriteTokens({ now: () => now, listWindowMs: 60_000, maxBoards: 2 });
  return { tokens, advance: (ms: number) => void (now += ms) };
}

describe('WriteTokens', () => {
  it('gives a board read my last write’s revision there, never a lower one', () => {
    const { tokens } = tokensAt();
    expect(tokens.forBoard(a)).toBeNull();
    tokens.recordWrite(a, 7);
    tokens.recordWrite(a, 5);
    expect(tokens.forBoard(a)).toBe('7');
  });

  it('gives lists the boards of my recent writes, newest first, capped, and forgets them after the window', () => {
    const { tokens, advance } = tokensAt();
    const c = '00000000-0000-4000-8000-00000000000c';
    tokens.recordWrite(a, 1);
    advance(10_000);
    tokens.recordWrite(b, 2);
    tokens.recordWrite(c, 3);
    expect(tokens.forList()).toBe(`${c}:3, ${b}:2`);
    advance(55_000);
    expect(tokens.forList()).toBe(`${c}:3, ${b}:2`);
    advance(10_000);
    expect(tokens.forList()).toBeNull();
  });

  it('ignores what is not a board id and a revision', () => {
    const { tokens } = tokensAt();
    tokens.recordWrite('not-a-board', 3);
    tokens.recordWrite(a, -1);
    expect(tokens.forList()).toBeNull();
  });
});

describe('minRevisionFor', () => {
  it('sends the board’s revision on board reads, none on the store-backed feed', () => {
    const { tokens } = tokensAt();
    tokens.recordWrite(a, 4);
    expect(minRevisionFor(tokens, `/boards/${a}`)).toBe('4');
    expect(minRevisionFor(tokens, `/boards/${a}/tasks?limit=50`)).toBe('4');
    expect(minRevisionFor(tokens, `/boards/${a}/events?after=3`)).toBeNull();
    expect(minRevisionFor(tokens, `/boards/${b}`)).toBeNull();
  });

  it('sends the vector on lists across boards', () => {
    const { tokens } = tokensAt();
    tokens.recordWrite(a, 4);
    for (const path of ['/boards?limit=20', '/tasks?assigneeId=me', '/me/stats', '/notifications'])
      expect(minRevisionFor(tokens, path)).toBe(`${a}:4`);
    expect(minRevisionFor(tokens, '/me')).toBeNull();
  });

  it('names the task’s board on task reads once it knows it', () => {
    const { tokens } = tokensAt();
    tokens.recordWrite(a, 4);
    tokens.recordWrite(b, 9);
    expect(minRevisionFor(tokens, `/tasks/${task}/history`)).toBe(`${b}:9, ${a}:4`);
    learnTasks(tokens, { items: [{ id: task, boardId: a, title: 'T' }] });
    expect(minRevisionFor(tokens, `/tasks/${task}/history`)).toBe(`${a}:4`);
  });
});

describe('boardOfWrite', () => {
  it('finds the board in the path, in the answer, or through the task', () => {
    const { tokens } = tokensAt();
    expect(boardOfWrite(tokens, `/boards/${a}/tasks`, {})).toBe(a);
    expect(boardOfWrite(tokens, '/boards', { board: { id: b } })).toBe(b);
    expect(boardOfWrite(tokens, `/tasks/${task}`, { id: task, boardId: a })).toBe(a);
    tokens.rememberTask(task, b);
    expect(boardOfWrite(tokens, `/tasks/${task}/comments`, { id: 'c', taskId: task })).toBe(b);
  });
});
