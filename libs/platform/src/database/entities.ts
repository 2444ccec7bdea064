/**
 * Entities of the platform's own tables. Application code mostly reads SQL directly;
 * the entities exist so a test can prove the migrations and the model agree.
 */
import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

@Entity({ name: 'tenants' })
@Check('tenants_slug_check', `slug ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'`)
export class TenantEntity {
  @PrimaryColumn({ type: 'text' })
  slug!: string;

  @Column({ type: 'text' })
  name!: string;

  @CreateDateColumn({ type: 'timestamptz', name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'disabled_at', nullable: true })
  disabledAt!: Date | null;
}

@Entity({ name: 'tenant_settings' })
@Check('tenant_settings_attempt_timeout_ms_check', 'attempt_timeout_ms BETWEEN 100 AND 60000')
@Check('tenant_settings_auto_disable_threshold_check', 'auto_disable_threshold > 0')
@Check('tenant_settings_rate_limit_per_minute_check', 'rate_limit_per_minute > 0')
@Check('tenant_settings_daily_quota_check', 'daily_quota IS NULL OR daily_quota > 0')
export class TenantSettingsEntity {
  @PrimaryColumn({ type: 'text' })
  tenant!: string;

  @ManyToOne(() => TenantEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'tenant',
    referencedColumnName: 'slug',
    foreignKeyConstraintName: 'tenant_settings_tenant_fkey',
  })
  tenantRef?: TenantEntity;

  @Column({ type: 'integer', array: true, name: 'retry_schedule_ms', nullable: true })
  retryScheduleMs!: number[] | null;

  @Column({ type: 'integer', name: 'attempt_timeout_ms', default: 10000 })
  attemptTimeoutMs!: number;

  @Column({ type: 'integer', name: 'auto_disable_threshold', default: 20 })
  autoDisableThreshold!: number;

  @Column({ type: 'integer', name: 'rate_limit_per_minute', default: 600 })
  rateLimitPerMinute!: number;

  @Column({ type: 'integer', name: 'daily_quota', nullable: true })
  dailyQuota!: number | null;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}

export const PLATFORM_ENTITIES = [TenantEntity, TenantSettingsEntity];
