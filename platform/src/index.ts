export * from './sql/sql.port.js';
export * from './sql/postgresSql.js';
export * from './sql/pgliteSql.js';
export * from './eventStore/eventStore.port.js';
export * from './bus/eventBus.port.js';
export * from './auth/tokens.js';
