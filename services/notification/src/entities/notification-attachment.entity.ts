import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { NotificationEntity } from './notification.entity';

/** A file sent with an e-mail: the tickets' QR codes, shown inline through their Content-ID. */
@Entity('notification_attachments')
export class NotificationAttachmentEntity {
  @PrimaryColumn({ name: 'notification_id', type: 'uuid', primaryKeyConstraintName: 'notification_attachments_pkey' })
  notificationId: string;

  @ManyToOne(() => NotificationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id', foreignKeyConstraintName: 'notification_attachments_notification_fk' })
  notification?: NotificationEntity;

  /** Order within the e-mail, from 1. */
  @PrimaryColumn({ type: 'smallint', primaryKeyConstraintName: 'notification_attachments_pkey' })
  seq: number;

  /** Referenced from the HTML body as cid:<content_id>. */
  @Column({ name: 'content_id', type: 'varchar', length: 100 })
  contentId: string;

  @Column({ type: 'varchar', length: 150 })
  filename: string;

  @Column({ name: 'content_type', type: 'varchar', length: 50 })
  contentType: string;

  @Column({ type: 'bytea' })
  content: Buffer;
}
