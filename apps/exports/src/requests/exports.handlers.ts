import {
  cancelExportV1,
  downloadExportV1,
  getExportV1,
  getWebhookSecretV1,
  listExportsV1,
  requestExportV1,
  type CommandContext,
  type ExportPage,
  type ExportView,
  type GetExportV1,
  type ListExportsV1,
  type RequestExportV1,
} from '@custodian/contracts';
import { CommandHandler } from '@custodian/messaging';
import { Controller } from '@nestjs/common';
import { ExportsService } from './exports.service.js';

/** Export requests, status, history, cancel and download: the exports service's side of `/v1/exports`. */
@Controller()
export class ExportHandlers {
  constructor(private readonly exports: ExportsService) {}

  @CommandHandler(requestExportV1)
  request(data: RequestExportV1, context: CommandContext): Promise<ExportView> {
    return this.exports.request(data, context);
  }

  @CommandHandler(getExportV1)
  get(data: GetExportV1, context: CommandContext): Promise<ExportView> {
    return this.exports.get(context.workspaceId, data.id);
  }

  @CommandHandler(listExportsV1)
  list(data: ListExportsV1, context: CommandContext): Promise<ExportPage> {
    return this.exports.list(context.workspaceId, data);
  }

  @CommandHandler(cancelExportV1)
  cancel(data: GetExportV1, context: CommandContext): Promise<ExportView> {
    return this.exports.cancel(context, data.id);
  }

  @CommandHandler(downloadExportV1)
  download(data: GetExportV1, context: CommandContext): Promise<{ url: string; expiresAt: string }> {
    return this.exports.download(context.workspaceId, data.id);
  }

  @CommandHandler(getWebhookSecretV1)
  secret(_data: object, context: CommandContext): Promise<{ secret: string }> {
    return this.exports.webhookSecret(context.workspaceId);
  }
}
