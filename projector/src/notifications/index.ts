export {
  projectWithNotifications,
  insertNotifications,
  type NewNotification,
  type NotifyOptions,
} from './notifications.projection.js';
export { createDueSoonScanner, notifyDueSoon, type DueSoonScanner } from './dueSoon.js';
export { handlesOf, mentionedHandles } from './handles.js';
export { recipientsOf, followersOf, summaryOf } from './recipients.js';
export * from './mailOutbox.js';
export * from './push.js';
export * from './notificationServices.js';
