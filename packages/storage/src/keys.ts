/** One bucket per kind of artifact. */
export const ARTIFACT_KINDS = ['imports', 'backups', 'archive', 'exports', 'interactions'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

const SEGMENT = /^[A-Za-z0-9_-]{1,128}$/;
const EXT = /^[a-z0-9]+(\.[a-z0-9]+)*$/;

/** `<workspaceId>/<kind>/<yyyy>/<mm>/<dd>/<id>.<ext>` (UTC date): every artifact's key (docs/design.md). */
export function objectKey(workspaceId: string, kind: ArtifactKind, id: string, ext: string, date: Date = new Date()): string {
  if (!SEGMENT.test(workspaceId)) throw new Error(`invalid workspace id for an object key: ${workspaceId}`);
  if (!SEGMENT.test(id)) throw new Error(`invalid id for an object key: ${id}`);
  if (!EXT.test(ext)) throw new Error(`invalid extension for an object key: ${ext}`);
  const yyyy = date.getUTCFullYear();
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(date.getUTCDate()).padStart(2, '0');
  return `${workspaceId}/${kind}/${yyyy}/${mm}/${dd}/${id}.${ext}`;
}

/** Whether a key belongs to the workspace (keys start with the workspace id). */
export function keyBelongsTo(key: string, workspaceId: string, kind?: ArtifactKind): boolean {
  return key.startsWith(`${workspaceId}/${kind ? `${kind}/` : ''}`) && !key.includes('..');
}
