import { describe, it } from 'vitest';
import {
  DOING,
  EDITOR,
  OWNER,
  STRANGER,
  VIEWER,
  aBoard,
  command,
  given,
  memberAdded,
  taskCreated,
} from './board.testkit.js';

describe('Board members', () => {
  describe('AddMember', () => {
    it('adds the member with the role', () =>
      given(...aBoard())
        .when(command('AddMember', { userId: 'user-new', role: 'viewer' }))
        .then([{ type: 'MemberAdded', data: { userId: 'user-new', role: 'viewer' } }]));
    it('refuses an existing member', () =>
      given(...aBoard())
        .when(command('AddMember', { userId: EDITOR, role: 'viewer' }))
        .thenThrows('MEMBER.ALREADY_EXISTS'));
    it('refuses an unknown role', () =>
      given(...aBoard())
        .when(command('AddMember', { userId: 'user-new', role: 'admin' as never }))
        .thenThrows('VALIDATION.FAILED', 'role'));
  });

  describe('ChangeMemberRole', () => {
    it('changes the role, recording the previous one', () =>
      given(...aBoard())
        .when(command('ChangeMemberRole', { userId: VIEWER, role: 'owner' }))
        .then([{ type: 'MemberRoleChanged', data: { userId: VIEWER, from: 'viewer', role: 'owner' } }]));
    it('does nothing for the same role', () =>
      given(...aBoard())
        .when(command('ChangeMemberRole', { userId: EDITOR, role: 'editor' }))
        .then([]));
    it('refuses an unknown member', () =>
      given(...aBoard())
        .when(command('ChangeMemberRole', { userId: 'user-nobody', role: 'editor' }))
        .thenThrows('MEMBER.NOT_FOUND'));
    describe('when demoting the last owner', () => {
      it('refuses', () =>
        given(...aBoard())
          .when(command('ChangeMemberRole', { userId: OWNER, role: 'editor' }))
          .thenThrows('MEMBER.LAST_OWNER'));
    });
    describe('when another owner remains', () => {
      it('demotes', () =>
        given(...aBoard(), memberAdded('user-owner-2', 'owner'))
          .when(command('ChangeMemberRole', { userId: OWNER, role: 'editor' }))
          .then([{ type: 'MemberRoleChanged', data: { userId: OWNER, from: 'owner', role: 'editor' } }]));
    });
  });

  describe('RemoveMember', () => {
    it('removes the member', () =>
      given(...aBoard())
        .when(command('RemoveMember', { userId: VIEWER }))
        .then([{ type: 'MemberRemoved', data: { userId: VIEWER } }]));
    it('unassigns them from every task first, archived ones included', () =>
      given(
        ...aBoard(),
        taskCreated('t2', { assigneeIds: [EDITOR, OWNER] }),
        taskCreated('t1', { columnId: DOING, assigneeIds: [EDITOR] }),
        { type: 'TaskArchived', data: { taskId: 't1' } },
        taskCreated('t3', { position: 'W', assigneeIds: [OWNER] }),
      )
        .when(command('RemoveMember', { userId: EDITOR }))
        .then([
          { type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } },
          { type: 'TaskUnassigned', data: { taskId: 't2', userId: EDITOR } },
          { type: 'MemberRemoved', data: { userId: EDITOR } },
        ]));
    it('refuses an unknown member', () =>
      given(...aBoard())
        .when(command('RemoveMember', { userId: 'user-nobody' }))
        .thenThrows('MEMBER.NOT_FOUND'));
    describe('when removing the last owner', () => {
      it('refuses', () =>
        given(...aBoard())
          .when(command('RemoveMember', { userId: OWNER }))
          .thenThrows('MEMBER.LAST_OWNER'));
    });
  });

  describe('RemoveErasedMember (erasure of the account, sent by the admin)', () => {
    const ADMIN = 'user-admin';
    it('removes and unassigns the member like RemoveMember, the sender need not be a member, the board may be archived', () =>
      given(...aBoard(), taskCreated('t1', { assigneeIds: [EDITOR] }), { type: 'BoardArchived', data: {} })
        .when(command('RemoveErasedMember', { userId: EDITOR }, ADMIN))
        .then([
          { type: 'TaskUnassigned', data: { taskId: 't1', userId: EDITOR } },
          { type: 'MemberRemoved', data: { userId: EDITOR } },
        ]));
    it('still keeps the last owner', () =>
      given(...aBoard())
        .when(command('RemoveErasedMember', { userId: OWNER }, ADMIN))
        .thenThrows('MEMBER.LAST_OWNER'));
    it('refuses an unknown member and an unknown board', () => {
      given(...aBoard())
        .when(command('RemoveErasedMember', { userId: 'user-nobody' }, ADMIN))
        .thenThrows('MEMBER.NOT_FOUND');
      given()
        .when(command('RemoveErasedMember', { userId: EDITOR }, ADMIN))
        .thenThrows('BOARD.NOT_FOUND');
    });
  });

  describe('AppointOwnerForErasure (the successor of an erased only owner, sent by the admin)', () => {
    const ADMIN = 'user-admin';
    const appoint = (userId: string, erasedUserId = OWNER) =>
      command('AppointOwnerForErasure', { userId, erasedUserId }, ADMIN);
    it('promotes a member to owner, recording the previous role and whom they succeed', () =>
      given(...aBoard())
        .when(appoint(EDITOR))
        .then([
          { type: 'MemberRoleChanged', data: { userId: EDITOR, from: 'editor', role: 'owner', succeeds: OWNER } },
        ]));
    it('adds someone who is not a member as owner; the sender need not be a member, the board may be archived', () =>
      given(...aBoard(), { type: 'BoardArchived', data: {} })
        .when(appoint(STRANGER))
        .then([{ type: 'MemberAdded', data: { userId: STRANGER, role: 'owner', succeeds: OWNER } }]));
    it('then lets RemoveErasedMember take the erased owner off', () => {
      const board = given(...aBoard(), {
        type: 'MemberRoleChanged',
        data: { userId: VIEWER, from: 'viewer', role: 'owner', succeeds: OWNER },
      });
      board
        .when(command('RemoveErasedMember', { userId: OWNER }, ADMIN))
        .then([{ type: 'MemberRemoved', data: { userId: OWNER } }]);
    });
    it('does nothing when the board has another owner by now, or the erased person is no owner of it', () => {
      given(...aBoard(), memberAdded('user-owner-2', 'owner'))
        .when(appoint(EDITOR))
        .then([]);
      given(...aBoard())
        .when(appoint(VIEWER, EDITOR))
        .then([]);
      given(...aBoard())
        .when(appoint(VIEWER, 'user-nobody'))
        .then([]);
    });
    it('refuses the erased person as their own successor, an empty id and an unknown board', () => {
      given(...aBoard())
        .when(appoint(OWNER))
        .thenThrows('VALIDATION.FAILED', 'userId');
      given(...aBoard())
        .when(appoint(''))
        .thenThrows('VALIDATION.FAILED', 'userId');
      given().when(appoint(EDITOR)).thenThrows('BOARD.NOT_FOUND');
    });
  });
});
