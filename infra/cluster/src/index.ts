export { startFrontDoor, type FrontDoor, type FrontDoorOptions } from './frontDoor.js';
export { frontDoorErrors, type FrontDoorErrorCode } from './problem.js';
