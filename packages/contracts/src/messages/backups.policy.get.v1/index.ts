import { command } from '../../message.js';

export class GetBackupPolicyV1 {}

export const getBackupPolicyV1 = command('backups.policy.get.v1', GetBackupPolicyV1, {}, 'BackupPolicyView');
