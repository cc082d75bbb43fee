export * from './errors.js';
export * from './board.events.js';
export * from './board.commands.js';
export * from './board.state.js';
export * from './envelope.js';
export * from './realtime.contract.js';
export * from './board.dto.js';
