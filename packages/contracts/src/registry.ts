import type { CommandSpec, MessageSpec } from './message.js';
import type { JobView } from './shared-types.js';
import { listArchivedContactsV1 } from './messages/archive.contact.list.v1/index.js';
import { archiveGetJobV1 } from './messages/archive.job.get.v1/index.js';
import { restoreOutcomesV1 } from './messages/archive.restore.outcomes.v1/index.js';
import { startRestoreV1 } from './messages/archive.restore.start.v1/index.js';
import { downloadBackupV1 } from './messages/backups.backup.download.v1/index.js';
import { getBackupV1 } from './messages/backups.backup.get.v1/index.js';
import { listBackupsV1 } from './messages/backups.backup.list.v1/index.js';
import { restoreBackupV1 } from './messages/backups.backup.restore.v1/index.js';
import { backupsGetJobV1 } from './messages/backups.job.get.v1/index.js';
import { getBackupPolicyV1 } from './messages/backups.policy.get.v1/index.js';
import { setBackupPolicyV1 } from './messages/backups.policy.set.v1/index.js';
import { createAccountV1 } from './messages/contacts.account.create.v1/index.js';
import { deleteAccountV1 } from './messages/contacts.account.delete.v1/index.js';
import { getAccountV1 } from './messages/contacts.account.get.v1/index.js';
import { listAccountsV1 } from './messages/contacts.account.list.v1/index.js';
import { updateAccountV1 } from './messages/contacts.account.update.v1/index.js';
import { createAccountV2 } from './messages/contacts.account.create.v2/index.js';
import { getAccountV2 } from './messages/contacts.account.get.v2/index.js';
import { listAccountsV2 } from './messages/contacts.account.list.v2/index.js';
import { updateAccountV2 } from './messages/contacts.account.update.v2/index.js';
import { archiveContactsV1 } from './messages/contacts.contact.archive-bulk.v1/index.js';
import { archiveContactV1 } from './messages/contacts.contact.archive.v1/index.js';
import { createContactV1 } from './messages/contacts.contact.create.v1/index.js';
import { deleteContactV1 } from './messages/contacts.contact.delete.v1/index.js';
import { getContactV1 } from './messages/contacts.contact.get.v1/index.js';
import { listContactsV1 } from './messages/contacts.contact.list.v1/index.js';
import { mergeContactsV1 } from './messages/contacts.contact.merge.v1/index.js';
import { restoreContactsV1 } from './messages/contacts.contact.restore-batch.v1/index.js';
import { restoreContactsV2 } from './messages/contacts.contact.restore-batch.v2/index.js';
import { createProgramV1 } from './messages/interactions.program.create.v1/index.js';
import { getProgramV1 } from './messages/interactions.program.get.v1/index.js';
import { listProgramsV1 } from './messages/interactions.program.list.v1/index.js';
import { updateProgramV1 } from './messages/interactions.program.update.v1/index.js';
import { transitionProgramV1 } from './messages/interactions.program.transition.v1/index.js';
import { ingestInteractionsV1 } from './messages/interactions.interaction.ingest.v1/index.js';
import { programChangedV1 } from './messages/events.interactions.program.changed.v1/index.js';
import { interactionsGetJobV1 } from './messages/interactions.job.get.v1/index.js';
import { interactionDataExpiredV1 } from './messages/events.interactions.data.expired.v1/index.js';
import { startInteractionRestoreV1 } from './messages/interactions.restore.start.v1/index.js';
import { interactionRestoreCompletedV1 } from './messages/events.interactions.restore.completed.v1/index.js';
import { interactionRestoreFailedV1 } from './messages/events.interactions.restore.failed.v1/index.js';
import { audienceQueryV1 } from './messages/interactions.audience.query.v1/index.js';
import { contactReceivedV1 } from './messages/interactions.contact.received.v1/index.js';
import { expiringProgramsV1 } from './messages/interactions.program.expiring.v1/index.js';
import { interactionDataExpiringV1 } from './messages/events.interactions.data.expiring.v1/index.js';
import { conversationRecordedV1 } from './messages/events.messaging.conversation.recorded.v1/index.js';
import { interactionRecordedV1 } from './messages/events.messaging.interaction.recorded.v1/index.js';
import { messageRecordedV1 } from './messages/events.messaging.message.recorded.v1/index.js';
import { createExportDestinationV1 } from './messages/exports.destination.create.v1/index.js';
import { listExportDestinationsV1 } from './messages/exports.destination.list.v1/index.js';
import { deleteExportDestinationV1 } from './messages/exports.destination.delete.v1/index.js';
import { exportsGetJobV1 } from './messages/exports.job.get.v1/index.js';
import { requestExportV1 } from './messages/exports.export.request.v1/index.js';
import { getExportV1 } from './messages/exports.export.get.v1/index.js';
import { listExportsV1 } from './messages/exports.export.list.v1/index.js';
import { cancelExportV1 } from './messages/exports.export.cancel.v1/index.js';
import { downloadExportV1 } from './messages/exports.export.download.v1/index.js';
import { getWebhookSecretV1 } from './messages/exports.webhook-secret.get.v1/index.js';
import { exportCompletedV1 } from './messages/events.exports.export.completed.v1/index.js';
import { exportFailedV1 } from './messages/events.exports.export.failed.v1/index.js';
import { exportDiscardedV1 } from './messages/events.exports.export.discarded.v1/index.js';
import { exportInteractionsDatasetV1 } from './messages/interactions.dataset.export.v1/index.js';
import { interactionsDatasetExportedV1 } from './messages/events.interactions.dataset.exported.v1/index.js';
import { interactionsDatasetFailedV1 } from './messages/events.interactions.dataset.failed.v1/index.js';
import { emailsInUseV1 } from './messages/contacts.workspace.emails-in-use.v1/index.js';
import { restoreContactV1 } from './messages/contacts.contact.restore.v1/index.js';
import { tagContactV1 } from './messages/contacts.contact.tag.v1/index.js';
import { updateContactV1 } from './messages/contacts.contact.update.v1/index.js';
import { exportContactsDatasetV1 } from './messages/contacts.dataset.export.v1/index.js';
import { createDealV1 } from './messages/contacts.deal.create.v1/index.js';
import { deleteDealV1 } from './messages/contacts.deal.delete.v1/index.js';
import { getDealV1 } from './messages/contacts.deal.get.v1/index.js';
import { listDealsV1 } from './messages/contacts.deal.list.v1/index.js';
import { updateDealV1 } from './messages/contacts.deal.update.v1/index.js';
import { importRejectsV1 } from './messages/contacts.import.rejects.v1/index.js';
import { importRepairsV1 } from './messages/contacts.import.repairs.v1/index.js';
import { startImportV1 } from './messages/contacts.import.start.v1/index.js';
import { contactsGetJobV1, type GetJobV1 } from './messages/contacts.job.get.v1/index.js';
import { createListV1 } from './messages/contacts.list.create.v1/index.js';
import { deleteListV1 } from './messages/contacts.list.delete.v1/index.js';
import { getListV1 } from './messages/contacts.list.get.v1/index.js';
import { listListsV1 } from './messages/contacts.list.list.v1/index.js';
import { listMembersV1 } from './messages/contacts.list.members.v1/index.js';
import { setMembershipV1 } from './messages/contacts.membership.set.v1/index.js';
import { defineFieldV1 } from './messages/contacts.field.define.v1/index.js';
import { deleteFieldV1 } from './messages/contacts.field.delete.v1/index.js';
import { listFieldsV1 } from './messages/contacts.field.list.v1/index.js';
import { createTagV1 } from './messages/contacts.tag.create.v1/index.js';
import { deleteTagV1 } from './messages/contacts.tag.delete.v1/index.js';
import { listTagsV1 } from './messages/contacts.tag.list.v1/index.js';
import { workspaceStatsV1 } from './messages/contacts.workspace.stats.v1/index.js';
import { archivedContactPurgedV1 } from './messages/events.archive.contact.purged.v1/index.js';
import { archivedContactRecordedV1 } from './messages/events.archive.contact.recorded.v1/index.js';
import { archiveRestoreCompletedV1 } from './messages/events.archive.restore.completed.v1/index.js';
import { archiveRestoreFailedV1 } from './messages/events.archive.restore.failed.v1/index.js';
import { archiveRestoreStartedV1 } from './messages/events.archive.restore.started.v1/index.js';
import { backupCreatedV1 } from './messages/events.backups.backup.created.v1/index.js';
import { backupExpiredV1 } from './messages/events.backups.backup.expired.v1/index.js';
import { backupPolicyChangedV1 } from './messages/events.backups.policy.changed.v1/index.js';
import { restoreCompletedV1 } from './messages/events.backups.restore.completed.v1/index.js';
import { restoreFailedV1 } from './messages/events.backups.restore.failed.v1/index.js';
import { restoreStartedV1 } from './messages/events.backups.restore.started.v1/index.js';
import { accountChangedV1 } from './messages/events.contacts.account.changed.v1/index.js';
import { accountChangedV2 } from './messages/events.contacts.account.changed.v2/index.js';
import { contactArchivedV1 } from './messages/events.contacts.contact.archived.v1/index.js';
import { contactCreatedV1 } from './messages/events.contacts.contact.created.v1/index.js';
import { contactDeletedV1 } from './messages/events.contacts.contact.deleted.v1/index.js';
import { contactMergedV1 } from './messages/events.contacts.contact.merged.v1/index.js';
import { contactRestoredV1 } from './messages/events.contacts.contact.restored.v1/index.js';
import { contactUpdatedV1 } from './messages/events.contacts.contact.updated.v1/index.js';
import { datasetExportedV1 } from './messages/events.contacts.dataset.exported.v1/index.js';
import { datasetFailedV1 } from './messages/events.contacts.dataset.failed.v1/index.js';
import { dealChangedV1 } from './messages/events.contacts.deal.changed.v1/index.js';
import { importCompletedV1 } from './messages/events.contacts.import.completed.v1/index.js';
import { importFailedV1 } from './messages/events.contacts.import.failed.v1/index.js';
import { listSnapshotCreatedV1 } from './messages/events.contacts.list-snapshot.created.v1/index.js';
import { listCreatedV1 } from './messages/events.contacts.list.created.v1/index.js';
import { listDeletedV1 } from './messages/events.contacts.list.deleted.v1/index.js';
import { membershipChangedV1 } from './messages/events.contacts.membership.changed.v1/index.js';
import { fieldDeletedV1 } from './messages/events.contacts.field.deleted.v1/index.js';
import { tagCreatedV1 } from './messages/events.contacts.tag.created.v1/index.js';
import { tagDeletedV1 } from './messages/events.contacts.tag.deleted.v1/index.js';
import { formSubmittedV1 } from './messages/events.forms.form.submitted.v1/index.js';

/** Every message of the platform. A subject not listed here cannot be sent or handled. */
export const MESSAGES: readonly MessageSpec[] = [
  listArchivedContactsV1,
  archiveGetJobV1,
  restoreOutcomesV1,
  startRestoreV1,
  downloadBackupV1,
  getBackupV1,
  listBackupsV1,
  restoreBackupV1,
  backupsGetJobV1,
  getBackupPolicyV1,
  setBackupPolicyV1,
  createAccountV1,
  deleteAccountV1,
  getAccountV1,
  listAccountsV1,
  updateAccountV1,
  createAccountV2,
  getAccountV2,
  listAccountsV2,
  updateAccountV2,
  archiveContactsV1,
  archiveContactV1,
  createContactV1,
  deleteContactV1,
  getContactV1,
  listContactsV1,
  mergeContactsV1,
  restoreContactsV1,
  restoreContactsV2,
  emailsInUseV1,
  interactionRecordedV1,
  messageRecordedV1,
  conversationRecordedV1,
  exportInteractionsDatasetV1,
  requestExportV1,
  exportsGetJobV1,
  createExportDestinationV1,
  listExportDestinationsV1,
  deleteExportDestinationV1,
  getExportV1,
  listExportsV1,
  cancelExportV1,
  downloadExportV1,
  getWebhookSecretV1,
  exportCompletedV1,
  exportFailedV1,
  exportDiscardedV1,
  interactionsDatasetExportedV1,
  interactionsDatasetFailedV1,
  expiringProgramsV1,
  interactionDataExpiringV1,
  audienceQueryV1,
  contactReceivedV1,
  startInteractionRestoreV1,
  interactionRestoreCompletedV1,
  interactionRestoreFailedV1,
  interactionsGetJobV1,
  interactionDataExpiredV1,
  createProgramV1,
  getProgramV1,
  listProgramsV1,
  updateProgramV1,
  transitionProgramV1,
  ingestInteractionsV1,
  programChangedV1,
  restoreContactV1,
  tagContactV1,
  updateContactV1,
  exportContactsDatasetV1,
  createDealV1,
  deleteDealV1,
  getDealV1,
  listDealsV1,
  updateDealV1,
  importRejectsV1,
  importRepairsV1,
  startImportV1,
  contactsGetJobV1,
  createListV1,
  deleteListV1,
  getListV1,
  listListsV1,
  listMembersV1,
  setMembershipV1,
  defineFieldV1,
  listFieldsV1,
  deleteFieldV1,
  createTagV1,
  deleteTagV1,
  listTagsV1,
  workspaceStatsV1,
  archivedContactPurgedV1,
  archivedContactRecordedV1,
  archiveRestoreCompletedV1,
  archiveRestoreFailedV1,
  archiveRestoreStartedV1,
  backupCreatedV1,
  backupExpiredV1,
  backupPolicyChangedV1,
  restoreCompletedV1,
  restoreFailedV1,
  restoreStartedV1,
  accountChangedV1,
  accountChangedV2,
  contactArchivedV1,
  contactCreatedV1,
  contactDeletedV1,
  contactMergedV1,
  contactRestoredV1,
  contactUpdatedV1,
  datasetExportedV1,
  datasetFailedV1,
  dealChangedV1,
  importCompletedV1,
  importFailedV1,
  listSnapshotCreatedV1,
  listCreatedV1,
  listDeletedV1,
  membershipChangedV1,
  fieldDeletedV1,
  tagCreatedV1,
  tagDeletedV1,
  formSubmittedV1,
] as MessageSpec[];

const bySubject = new Map(MESSAGES.map((m) => [m.subject, m]));

export function messageSpec(subject: string): MessageSpec {
  const spec = bySubject.get(subject);
  if (!spec) throw new Error(`unknown subject ${subject}`);
  return spec;
}

/** `<app>.job.get.v1` of each app that runs jobs. */
export const JOB_GET_V1 = {
  contacts: contactsGetJobV1,
  backups: backupsGetJobV1,
  archive: archiveGetJobV1,
  interactions: interactionsGetJobV1,
  exports: exportsGetJobV1,
} as const satisfies Record<string, CommandSpec<GetJobV1, JobView>>;

/** The `<app>.job.get.v1` of an app that runs jobs. */
export function jobGetSpec(app: string): CommandSpec<GetJobV1, JobView> {
  if (!Object.hasOwn(JOB_GET_V1, app)) throw new Error(`${app} runs no jobs (no ${app}.job.get.v1)`);
  return JOB_GET_V1[app as keyof typeof JOB_GET_V1];
}

/** The JetStream stream holding every event of the platform. */
export const EVENT_STREAM = 'CUSTODIAN_EVENTS';
export const EVENT_SUBJECTS = 'events.>';
/** Poison messages land here after the last delivery attempt: `dead-letter.<original subject>`. */
export const DEAD_LETTER_STREAM = 'CUSTODIAN_DEAD_LETTERS';
export const DEAD_LETTER_PREFIX = 'dead-letter';
