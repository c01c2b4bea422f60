"""Marketing: the co-purchase snapshot behind recommendations (customer products, product similarities).

Revision ID: ma1a2b3c4d02
Revises: ma1a2b3c4d01
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ma1a2b3c4d02"
down_revision = "ma1a2b3c4d01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "marketing_customer_product",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
            name=op.f("fk_marketing_customer_product_customer_id_customer"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_marketing_customer_product_product_id_product"),
        ),
        sa.PrimaryKeyConstraint(
            "customer_id", "product_id", name=op.f("pk_marketing_customer_product")
        ),
    )
    op.create_table(
        "marketing_product_similarity",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("similar_id", sa.Integer(), nullable=False),
        sa.Column("together", sa.Integer(), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_marketing_product_similarity_product_id_product"),
        ),
        sa.ForeignKeyConstraint(
            ["similar_id"],
            ["product.id"],
            name=op.f("fk_marketing_product_similarity_similar_id_product"),
        ),
        sa.PrimaryKeyConstraint(
            "product_id", "similar_id", name=op.f("pk_marketing_product_similarity")
        ),
    )


def downgrade() -> None:
    op.drop_table("marketing_product_similarity")
    op.drop_table("marketing_customer_product")
