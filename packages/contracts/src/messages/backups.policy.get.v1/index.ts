import { command } from '../../message.js';
import type { BackupPolicyView } from '../../views.js';

export class GetBackupPolicyV1 {}

export const getBackupPolicyV1 = command<GetBackupPolicyV1, BackupPolicyView>('backups.policy.get.v1', GetBackupPolicyV1, {}, 'BackupPolicyView');
