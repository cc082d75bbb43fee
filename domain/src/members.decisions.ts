import type {
  AddMember,
  AppointOwnerForErasure,
  ChangeMemberRole,
  RemoveErasedMember,
  RemoveMember,
} from './board.commands.js';
import type { BoardEvent, TaskUnassigned } from './board.events.js';
import type { BoardState, Member } from './board.state.js';
import type { ExistingBoard } from './board.guards.js';
import { countOwners, requireWritableBoard } from './board.guards.js';
import { requireRoleValue, requireText } from './board.validation.js';
import { DomainError } from './errors.js';

function requireMember(board: ExistingBoard, userId: string): Member {
  const member = board.members[userId];
  if (member === undefined) throw new DomainError('MEMBER.NOT_FOUND', `User ${userId} is not a member`);
  return member;
}

function refuseLosingLastOwner(board: ExistingBoard, member: Member): void {
  if (member.role === 'owner' && countOwners(board) === 1) {
    throw new DomainError('MEMBER.LAST_OWNER', 'A board keeps at least one owner');
  }
}

export function addMember(command: AddMember, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata, 'owner');
  const userId = requireText('userId', command.data.userId, 200);
  const role = requireRoleValue('role', command.data.role);
  if (board.members[userId] !== undefined) throw new DomainError('MEMBER.ALREADY_EXISTS', 'Already a member');
  return [{ type: 'MemberAdded', data: { userId, role } }];
}

export function changeMemberRole(command: ChangeMemberRole, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata, 'owner');
  const role = requireRoleValue('role', command.data.role);
  const member = requireMember(board, command.data.userId);
  if (member.role === role) return [];
  refuseLosingLastOwner(board, member);
  return [{ type: 'MemberRoleChanged', data: { userId: member.userId, from: member.role, role } }];
}

/** Removing a member also unassigns them everywhere, so no task keeps a non-member assignee. */
export function removeMember(command: RemoveMember, state: BoardState): BoardEvent[] {
  const board = requireWritableBoard(state, command.metadata, 'owner');
  return memberRemoval(board, requireMember(board, command.data.userId));
}

/**
 * The person's account is being erased: off the board, archived or not, whoever sends it (the
 * admin erasure route, see RemoveErasedMember). A board still keeps at least one owner: the
 * erasure asks for another owner first.
 */
export function removeErasedMember(command: RemoveErasedMember, state: BoardState): BoardEvent[] {
  if (state.status === 'initial') throw new DomainError('BOARD.NOT_FOUND', 'Board not found');
  return memberRemoval(state, requireMember(state, command.data.userId));
}

const isOnlyOwner = (board: ExistingBoard, userId: string): boolean =>
  board.members[userId]?.role === 'owner' && countOwners(board) === 1;

/**
 * The person being erased is the board's only owner: the successor becomes an owner, promoted when
 * already a member, added otherwise; archived or not, whoever sends it (the admin erasure route, see
 * AppointOwnerForErasure). Nothing to do when the board has another owner by now: it keeps one anyway.
 * The ordinary member events, so the history reads as usual and undo treats them as usual.
 */
export function appointOwnerForErasure(command: AppointOwnerForErasure, state: BoardState): BoardEvent[] {
  if (state.status === 'initial') throw new DomainError('BOARD.NOT_FOUND', 'Board not found');
  const userId = requireText('userId', command.data.userId, 200);
  if (userId === command.data.erasedUserId) {
    throw new DomainError('VALIDATION.FAILED', 'The successor must be someone other than the person erased', [
      { field: 'userId', message: 'must be someone other than the person erased' },
    ]);
  }
  if (!isOnlyOwner(state, command.data.erasedUserId)) return [];
  const succeeds = command.data.erasedUserId;
  const successor = state.members[userId];
  if (successor === undefined) return [{ type: 'MemberAdded', data: { userId, role: 'owner', succeeds } }];
  return [{ type: 'MemberRoleChanged', data: { userId, from: successor.role, role: 'owner', succeeds } }];
}

function memberRemoval(board: ExistingBoard, member: Member): BoardEvent[] {
  refuseLosingLastOwner(board, member);
  const unassigned = Object.values(board.tasks)
    .filter((task) => task.assigneeIds.includes(member.userId))
    .map((task) => task.id)
    .sort()
    .map((taskId): TaskUnassigned => ({ type: 'TaskUnassigned', data: { taskId, userId: member.userId } }));
  return [...unassigned, { type: 'MemberRemoved', data: { userId: member.userId } }];
}
