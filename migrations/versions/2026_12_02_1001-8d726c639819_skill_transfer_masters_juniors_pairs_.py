"""skill transfer: masters, juniors, pairs, training, certificates, allowances, know-how cards, outreach

Issue 14. The old ``meister_pairs`` rows (two typed names, a process, dates) become real people and pairs: each
distinct master name a master (no account), each pair's junior a junior (an employee of the pair's factory when one
was named, else an apprentice) whose goal is the process, and the pair itself — certified when it had a
certification date (so ``meister_pairs`` counts the same), else active — confirmed as of when it was recorded.
The downgrade writes the pairs back as rows of names.

Revision ID: 8d726c639819
Revises: bfbb5b67382e
Create Date: 2026-12-02 10:01:26.048449

"""
import sqlalchemy as sa
from alembic import op

LEGACY = sa.table("meister_pairs", sa.column("id", sa.Integer), sa.column("factory_id", sa.Integer),
                  sa.column("master_name", sa.String), sa.column("junior_name", sa.String),
                  sa.column("process_code", sa.String), sa.column("started_on", sa.Date),
                  sa.column("certified_on", sa.Date), sa.column("notes", sa.Text),
                  sa.column("created_by_id", sa.Integer), sa.column("created_at", sa.DateTime))
MASTERS = sa.table("masters", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("ward", sa.String),
                   sa.column("travel_km", sa.Integer), sa.column("days_per_month", sa.Integer),
                   sa.column("is_retired", sa.Boolean), sa.column("bio", sa.Text),
                   sa.column("created_by_id", sa.Integer), sa.column("created_at", sa.DateTime))
SKILLS = sa.table("master_skills", sa.column("master_id", sa.Integer), sa.column("process_code", sa.String),
                  sa.column("years", sa.Integer), sa.column("level", sa.Integer))
JUNIORS = sa.table("juniors", sa.column("id", sa.Integer), sa.column("employer_id", sa.Integer),
                   sa.column("name", sa.String), sa.column("kind", sa.String), sa.column("school", sa.String),
                   sa.column("ward", sa.String), sa.column("goals", sa.JSON), sa.column("days_per_month", sa.Integer),
                   sa.column("notes", sa.Text), sa.column("created_by_id", sa.Integer),
                   sa.column("created_at", sa.DateTime))
PAIRS = sa.table("pairs", sa.column("id", sa.Integer), sa.column("master_id", sa.Integer),
                 sa.column("junior_id", sa.Integer), sa.column("process_code", sa.String),
                 sa.column("status", sa.String), sa.column("reasons", sa.JSON),
                 sa.column("master_accepted_at", sa.DateTime), sa.column("junior_accepted_at", sa.DateTime),
                 sa.column("confirmed_at", sa.DateTime), sa.column("started_on", sa.Date),
                 sa.column("certified_on", sa.Date), sa.column("notes", sa.Text),
                 sa.column("created_by_id", sa.Integer), sa.column("created_at", sa.DateTime))


def _insert(bind, table, values: dict) -> int:
    return bind.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()


def _migrate_legacy_pairs() -> None:
    """Each old pair of names becomes a master, a junior and a confirmed (or certified) pair."""
    bind = op.get_bind()
    masters: dict[str, int] = {}
    for row in bind.execute(sa.select(LEGACY).order_by(LEGACY.c.id)).mappings().all():
        when = row["created_at"]
        if row["master_name"] not in masters:
            masters[row["master_name"]] = _insert(bind, MASTERS, {
                "name": row["master_name"], "ward": "", "travel_km": 10, "days_per_month": 4, "is_retired": True,
                "bio": "", "created_by_id": row["created_by_id"], "created_at": when})
        master_id = masters[row["master_name"]]
        if not bind.execute(sa.select(SKILLS.c.master_id).where(
                SKILLS.c.master_id == master_id, SKILLS.c.process_code == row["process_code"])).first():
            bind.execute(SKILLS.insert().values(master_id=master_id, process_code=row["process_code"], years=0,
                                                level=5))
        junior_id = _insert(bind, JUNIORS, {
            "employer_id": row["factory_id"], "name": row["junior_name"],
            "kind": "employee" if row["factory_id"] else "apprentice", "school": "", "ward": "",
            "goals": [row["process_code"]], "days_per_month": 4, "notes": "", "created_by_id": row["created_by_id"],
            "created_at": when})
        bind.execute(PAIRS.insert().values(
            master_id=master_id, junior_id=junior_id, process_code=row["process_code"],
            status="certified" if row["certified_on"] else "active", reasons=[{"key": "legacy"}],
            master_accepted_at=when, junior_accepted_at=when, confirmed_at=when, started_on=row["started_on"],
            certified_on=row["certified_on"], notes=row["notes"] or "", created_by_id=row["created_by_id"],
            created_at=when))


# revision identifiers, used by Alembic.
revision = '8d726c639819'
down_revision = 'bfbb5b67382e'
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('people_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('max_juniors_per_master', sa.Integer(), nullable=False),
    sa.Column('visits_target', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_settings'))
    )
    op.create_table('plan_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_code', sa.String(length=60), nullable=False),
    sa.Column('milestones', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_templates')),
    sa.UniqueConstraint('process_code', name=op.f('uq_plan_templates_process_code'))
    )
    op.create_table('allowance_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('master_hourly_yen', sa.Integer(), nullable=False),
    sa.Column('junior_hourly_yen', sa.Integer(), nullable=False),
    sa.Column('certification_incentive_yen', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_allowance_rates_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_allowance_rates')),
    sa.UniqueConstraint('effective_from', name=op.f('uq_allowance_rates_effective_from'))
    )
    op.create_table('juniors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('employer_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('ward', sa.String(length=30), nullable=False),
    sa.Column('goals', sa.JSON(), nullable=False),
    sa.Column('days_per_month', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('employee', 'apprentice', 'student')", name=op.f('ck_juniors_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_juniors_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['employer_id'], ['factories.id'], name=op.f('fk_juniors_employer_id_factories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_juniors_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_juniors')),
    sa.UniqueConstraint('user_id', name=op.f('uq_juniors_user_id'))
    )
    with op.batch_alter_table('juniors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_juniors_employer_id'), ['employer_id'], unique=False)

    op.create_table('masters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('factory_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('ward', sa.String(length=30), nullable=False),
    sa.Column('travel_km', sa.Integer(), nullable=False),
    sa.Column('days_per_month', sa.Integer(), nullable=False),
    sa.Column('is_retired', sa.Boolean(), nullable=False),
    sa.Column('max_juniors', sa.Integer(), nullable=True),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_masters_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_masters_factory_id_factories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_masters_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_masters')),
    sa.UniqueConstraint('user_id', name=op.f('uq_masters_user_id'))
    )
    with op.batch_alter_table('masters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_masters_factory_id'), ['factory_id'], unique=False)

    op.create_table('outreach_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('is_open', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('internship', 'visit')", name=op.f('ck_outreach_offers_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_outreach_offers_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_outreach_offers_factory_id_factories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_offers'))
    )
    with op.batch_alter_table('outreach_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_offers_factory_id'), ['factory_id'], unique=False)

    op.create_table('knowhow_cards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('process_code', sa.String(length=60), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=True),
    sa.Column('master_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('steps', sa.Text(), nullable=False),
    sa.Column('tolerances', sa.Text(), nullable=False),
    sa.Column('tools', sa.Text(), nullable=False),
    sa.Column('mistakes', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("visibility IN ('private', 'juniors', 'public')", name=op.f('ck_knowhow_cards_visibility')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_knowhow_cards_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_knowhow_cards_factory_id_factories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['master_id'], ['masters.id'], name=op.f('fk_knowhow_cards_master_id_masters'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowhow_cards'))
    )
    with op.batch_alter_table('knowhow_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowhow_cards_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowhow_cards_master_id'), ['master_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowhow_cards_process_code'), ['process_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_knowhow_cards_visibility'), ['visibility'], unique=False)

    op.create_table('master_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('master_id', sa.Integer(), nullable=False),
    sa.Column('process_code', sa.String(length=60), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['master_id'], ['masters.id'], name=op.f('fk_master_skills_master_id_masters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_master_skills')),
    sa.UniqueConstraint('master_id', 'process_code', name=op.f('uq_master_skills_master_id'))
    )
    with op.batch_alter_table('master_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_master_skills_master_id'), ['master_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_master_skills_process_code'), ['process_code'], unique=False)

    op.create_table('outreach_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('school', sa.String(length=200), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('preferred_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'held')", name=op.f('ck_outreach_applications_status')),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_outreach_applications_applicant_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['outreach_offers.id'], name=op.f('fk_outreach_applications_offer_id_outreach_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outreach_applications'))
    )
    with op.batch_alter_table('outreach_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outreach_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_applications_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_outreach_applications_offer_id'), ['offer_id'], unique=False)

    op.create_table('pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('master_id', sa.Integer(), nullable=False),
    sa.Column('junior_id', sa.Integer(), nullable=False),
    sa.Column('process_code', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('master_accepted_at', sa.DateTime(), nullable=True),
    sa.Column('junior_accepted_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'active', 'certified', 'declined', 'ended')", name=op.f('ck_pairs_status')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_pairs_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pairs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['junior_id'], ['juniors.id'], name=op.f('fk_pairs_junior_id_juniors'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['master_id'], ['masters.id'], name=op.f('fk_pairs_master_id_masters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairs'))
    )
    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairs_certified_on'), ['certified_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_junior_id'), ['junior_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_master_id'), ['master_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_status'), ['status'], unique=False)

    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('milestone_title', sa.String(length=200), nullable=False),
    sa.Column('milestone_title_en', sa.String(length=200), nullable=False),
    sa.Column('junior_name', sa.String(length=120), nullable=False),
    sa.Column('master_name', sa.String(length=120), nullable=False),
    sa.Column('process_code', sa.String(length=60), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_certificates_pair_id_pairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code')),
    sa.UniqueConstraint('pair_id', name=op.f('uq_certificates_pair_id'))
    )
    op.create_table('knowhow_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('photo', 'video')", name=op.f('ck_knowhow_media_kind')),
    sa.ForeignKeyConstraint(['card_id'], ['knowhow_cards.id'], name=op.f('fk_knowhow_media_card_id_knowhow_cards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowhow_media')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_knowhow_media_stored_name'))
    )
    with op.batch_alter_table('knowhow_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowhow_media_card_id'), ['card_id'], unique=False)

    op.create_table('pair_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('target_hours', sa.Integer(), nullable=False),
    sa.Column('reached_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_pair_milestones_pair_id_pairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pair_milestones'))
    )
    with op.batch_alter_table('pair_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pair_milestones_pair_id'), ['pair_id'], unique=False)

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pair_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('master_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('junior_confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_sessions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_training_sessions_pair_id_pairs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_pair_id'), ['pair_id'], unique=False)

    op.create_table('training_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_photos_session_id_training_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_training_photos_stored_name'))
    )
    with op.batch_alter_table('training_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_photos_session_id'), ['session_id'], unique=False)

    _migrate_legacy_pairs()
    with op.batch_alter_table('meister_pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meister_pairs_certified_on'))
        batch_op.drop_index(batch_op.f('ix_meister_pairs_factory_id'))

    op.drop_table('meister_pairs')
    # ### end Alembic commands ###


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('meister_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=True),
    sa.Column('master_name', sa.String(length=120), nullable=False),
    sa.Column('junior_name', sa.String(length=120), nullable=False),
    sa.Column('process_code', sa.String(length=60), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_meister_pairs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_meister_pairs_factory_id_factories'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meister_pairs'))
    )
    with op.batch_alter_table('meister_pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meister_pairs_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meister_pairs_certified_on'), ['certified_on'], unique=False)
    bind = op.get_bind()
    for row in bind.execute(sa.select(
            PAIRS.c.process_code, PAIRS.c.started_on, PAIRS.c.certified_on, PAIRS.c.notes, PAIRS.c.created_by_id,
            PAIRS.c.created_at, MASTERS.c.name.label("master_name"), JUNIORS.c.name.label("junior_name"),
            JUNIORS.c.employer_id).join(MASTERS, MASTERS.c.id == PAIRS.c.master_id)
            .join(JUNIORS, JUNIORS.c.id == PAIRS.c.junior_id)
            .where(PAIRS.c.status.in_(("active", "certified", "ended")))).mappings().all():
        bind.execute(LEGACY.insert().values(
            factory_id=row["employer_id"], master_name=row["master_name"], junior_name=row["junior_name"],
            process_code=row["process_code"], started_on=row["started_on"] or row["created_at"].date(),
            certified_on=row["certified_on"], notes=row["notes"] or "", created_by_id=row["created_by_id"],
            created_at=row["created_at"]))

    with op.batch_alter_table('training_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_photos_session_id'))

    op.drop_table('training_photos')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_pair_id'))

    op.drop_table('training_sessions')
    with op.batch_alter_table('pair_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pair_milestones_pair_id'))

    op.drop_table('pair_milestones')
    with op.batch_alter_table('knowhow_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowhow_media_card_id'))

    op.drop_table('knowhow_media')
    op.drop_table('certificates')
    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairs_status'))
        batch_op.drop_index(batch_op.f('ix_pairs_master_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_junior_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_certified_on'))

    op.drop_table('pairs')
    with op.batch_alter_table('outreach_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_applications_offer_id'))
        batch_op.drop_index(batch_op.f('ix_outreach_applications_held_on'))
        batch_op.drop_index(batch_op.f('ix_outreach_applications_applicant_id'))

    op.drop_table('outreach_applications')
    with op.batch_alter_table('master_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_master_skills_process_code'))
        batch_op.drop_index(batch_op.f('ix_master_skills_master_id'))

    op.drop_table('master_skills')
    with op.batch_alter_table('knowhow_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowhow_cards_visibility'))
        batch_op.drop_index(batch_op.f('ix_knowhow_cards_process_code'))
        batch_op.drop_index(batch_op.f('ix_knowhow_cards_master_id'))
        batch_op.drop_index(batch_op.f('ix_knowhow_cards_factory_id'))

    op.drop_table('knowhow_cards')
    with op.batch_alter_table('outreach_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outreach_offers_factory_id'))

    op.drop_table('outreach_offers')
    with op.batch_alter_table('masters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_masters_factory_id'))

    op.drop_table('masters')
    with op.batch_alter_table('juniors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_juniors_employer_id'))

    op.drop_table('juniors')
    op.drop_table('allowance_rates')
    op.drop_table('plan_templates')
    op.drop_table('people_settings')
    # ### end Alembic commands ###
