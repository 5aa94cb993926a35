/** Which parts run in this process: `npm start` runs both; start:web / start:worker one each. */
export interface ProcessRoles {
  web: boolean;
  worker: boolean;
}
export const PROCESS_ROLES = Symbol('PROCESS_ROLES');
