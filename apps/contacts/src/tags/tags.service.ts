import { DomainError, ErrorCode, tagCreatedV1, tagDeletedV1, type CommandContext, type Page, type PageQuery, type TagView } from '@custodian/contracts';
import { recordEvent } from '@custodian/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pageOf } from '../contacts/contact-queries.js';
import { keysetPageSql } from '@custodian/persistence';

interface TagRow {
  id: string;
  name: string;
  contactCount: number;
  createdAt: Date;
  cursorAt: string;
}

const TAG_VIEW_SQL = `
  select t.id, t.name, t.created_at as "createdAt", t.created_at::text as "cursorAt",
         (select count(*)::int from contact_tag ct where ct.tag_id = t.id) as "contactCount"
  from tag t`;

const toTagView = ({ cursorAt: _cursorAt, ...r }: TagRow): TagView => ({ ...r, createdAt: r.createdAt.toISOString() });

@Injectable()
export class TagsService {
  constructor(private readonly ds: DataSource) {}

  async create(context: CommandContext, name: string): Promise<TagView> {
    const id = await this.ds.transaction(async (em) => {
      const [row] = (await em.query('insert into tag (workspace_id, name) values ($1, $2) on conflict (workspace_id, lower(name)) do nothing returning id', [
        context.workspaceId,
        name.trim(),
      ])) as { id: string }[];
      if (!row) throw new DomainError(ErrorCode.TagNameTaken, `a tag named "${name.trim()}" already exists in this workspace`);
      await recordEvent(em, tagCreatedV1, context, { tagId: row.id, name: name.trim() });
      return row.id;
    });
    const [row] = (await this.ds.query(`${TAG_VIEW_SQL} where t.id = $1`, [id])) as TagRow[];
    return toTagView(row!);
  }

  async list(context: CommandContext, query: PageQuery): Promise<Page<TagView>> {
    const limit = query.limit ?? 100;
    const page = keysetPageSql(TAG_VIEW_SQL, ['t.workspace_id = $1'], [context.workspaceId], ['t.created_at', 't.id'], { cursor: query.cursor, limit });
    const rows = (await this.ds.query(page.sql, page.params)) as TagRow[];
    return pageOf(rows, limit, toTagView);
  }

  async delete(context: CommandContext, id: string): Promise<{ deleted: true }> {
    await this.ds.transaction(async (em) => {
      const [rows] = (await em.query('delete from tag where workspace_id = $1 and id = $2 returning name', [context.workspaceId, id])) as [
        { name: string }[],
        number,
      ];
      if (!rows[0]) throw new DomainError(ErrorCode.NotFound, `tag ${id} not found`);
      await recordEvent(em, tagDeletedV1, context, { tagId: id, name: rows[0].name });
    });
    return { deleted: true };
  }
}
