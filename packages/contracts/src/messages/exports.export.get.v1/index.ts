import { IsUUID } from 'class-validator';
import { command } from '../../message.js';
import type { ExportView } from '../../exports.js';

export class GetExportV1 {
  @IsUUID() id!: string;
}

export const getExportV1 = command<GetExportV1, ExportView>('exports.export.get.v1', GetExportV1, { id: '0b5c2a52-7d0e-4a8a-9a39-6a3bb8f1d7a1' }, 'ExportView');
