import { describe, expect, it } from 'vitest';
import type { Task } from '@primetrade/domain';
import { noFilter, taskMatcher } from './filters.js';

const task = (fields: Partial<Task>): Task => ({
  id: 't',
  columnId: 'c',
  position: 'V',
  title: '',
  description: '',
  priority: 'medium',
  dueDate: null,
  assigneeIds: [],
  labels: [],
  status: 'open',
  archived: false,
  createdBy: 'u',
  createdAt: '',
  updatedAt: '',
  completedAt: null,
  comments: {},
  ...fields,
});

describe('taskMatcher', () => {
  describe('when searching text', () => {
    it('needs every word somewhere in the title, description or labels, in any case', () => {
      const matches = taskMatcher({ ...noFilter, q: 'Launch  PRESS' });
      expect(matches(task({ title: 'Invite the press', labels: ['launch'] }))).toBe(true);
      expect(matches(task({ title: 'Invite the press' }))).toBe(false);
      expect(matches(task({ description: 'press kit for the launch' }))).toBe(true);
    });
  });

  describe('when filtering by fields', () => {
    it('combines assignee, label, priority and status', () => {
      const matches = taskMatcher({ ...noFilter, assigneeId: 'bob', label: 'q1', priority: 'high', status: 'open' });
      const match = task({ assigneeIds: ['bob'], labels: ['q1'], priority: 'high' });
      expect(matches(match)).toBe(true);
      expect(matches({ ...match, assigneeIds: ['alice'] })).toBe(false);
      expect(matches({ ...match, priority: 'low' })).toBe(false);
      expect(matches({ ...match, status: 'completed' })).toBe(false);
    });
  });

  describe('when a task is archived', () => {
    it('hides it unless archived tasks are shown', () => {
      expect(taskMatcher(noFilter)(task({ archived: true }))).toBe(false);
      expect(taskMatcher({ ...noFilter, showArchived: true })(task({ archived: true }))).toBe(true);
    });
  });
});
