import { Check, Column, CreateDateColumn, Entity, Generated, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { numberColumn } from '@etsr/platform';

export const VENUE_TYPES = ['STADIUM', 'THEATER', 'ARENA', 'CONVENTION_CENTER', 'OTHER'] as const;
export type VenueType = (typeof VENUE_TYPES)[number];

/** Amenities of a venue: {"parking": true, "wifi": true, "food_court": "level 2"}. */
export type Facilities = Record<string, boolean | string>;

@Entity('venues')
@Check('venues_venue_type_check', `venue_type IN ('STADIUM', 'THEATER', 'ARENA', 'CONVENTION_CENTER', 'OTHER')`)
@Check('venues_capacity_check', `capacity > 0`)
@Check('venues_facilities_check', `json_typeof(facilities) = 'object'`)
// Search filters by city case-insensitively; the expression index is created by the migration.
@Index('venues_city_lower_idx', { synchronize: false })
export class VenueEntity {
  @PrimaryColumn({ name: 'venue_id', type: 'bigint', transformer: numberColumn, primaryKeyConstraintName: 'venues_pkey' })
  @Generated('increment')
  id: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text' })
  address: string;

  @Column({ type: 'varchar', length: 100 })
  city: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  state: string | null;

  @Column({ type: 'varchar', length: 100 })
  country: string;

  @Column({ name: 'postal_code', type: 'varchar', length: 20, nullable: true })
  postalCode: string | null;

  @Column({ type: 'integer' })
  capacity: number;

  @Index('venues_venue_type_idx')
  @Column({ name: 'venue_type', type: 'varchar', length: 50, default: 'OTHER' })
  venueType: VenueType;

  /** json, not jsonb: the object comes back with its keys in the order the admin wrote them. */
  @Column({ type: 'json', default: () => `'{}'` })
  facilities: Facilities;

  /** '<source>:venues:<id>' of a row loaded by the importer; the key that makes a second import a no-op. */
  @Index('venues_external_ref_key', { unique: true })
  @Column({ name: 'external_ref', type: 'varchar', length: 200, nullable: true })
  externalRef: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
