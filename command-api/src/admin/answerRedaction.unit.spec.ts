import { describe, expect, it } from 'vitest';
import { redactPersonInAnswer } from './answerRedaction.js';

const person = { id: 'u-1', email: 'Open@Example.test' };

describe('redactPersonInAnswer', () => {
  it('erases name and e-mail fields of objects about the person, at any depth', () => {
    const body = {
      board: { id: 'b-1', name: 'open' },
      members: [
        { userId: 'u-1', name: 'open', role: 'editor' },
        { userId: 'u-2', name: 'open', role: 'owner' },
      ],
    };
    expect(redactPersonInAnswer(body, person)).toEqual({
      board: { id: 'b-1', name: 'open' },
      members: [
        { userId: 'u-1', name: '[erased]', role: 'editor' },
        { userId: 'u-2', name: 'open', role: 'owner' },
      ],
    });
  });

  it('erases prefixed fields that go with the person’s id (actorName with actorId) and their e-mail under any e-mail key', () => {
    const body = {
      actorId: 'u-1',
      actorName: 'open',
      ownerId: 'u-2',
      ownerName: 'open',
      inviteeEmail: 'open@example.test',
      status: 'open',
    };
    expect(redactPersonInAnswer(body, person)).toEqual({
      actorId: 'u-1',
      actorName: '[erased]',
      ownerId: 'u-2',
      ownerName: 'open',
      inviteeEmail: '[erased]',
      status: 'open',
    });
  });

  it('leaves values that merely equal the name or e-mail in other fields', () => {
    const body = { id: 't-1', title: 'open', status: 'open', description: 'Open@Example.test', labels: ['open'] };
    expect(redactPersonInAnswer(body, person)).toEqual(body);
  });
});
