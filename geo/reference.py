"""Loads the plan's reference lists (tasks, categories, indicators) into the database, idempotently."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.catalogue import CATEGORIES, PLAN_TASKS
from geo.plan import load_indicators
from geo.models import Category, PlanTask


def load_reference(session: Session) -> None:
    """Insert or refresh every plan task and category of geo.catalogue, and the indicators with their targets."""
    for task in PLAN_TASKS:
        values = dict(code=task.code, name_vi=task.name_vi, name_en=task.name_en,
                      period=task.period, lead_agency=task.lead_agency)
        session.execute(insert(PlanTask).values(values)
                        .on_conflict_do_update(index_elements=["code"], set_=values))
    for order, category in enumerate(CATEGORIES):
        values = dict(code=category.code, name_vi=category.name_vi, name_en=category.name_en,
                      colour=category.colour, icon=category.icon, plan_tasks=list(category.plan_tasks),
                      measures=list(category.measures), sort_order=order)
        session.execute(insert(Category).values(values)
                        .on_conflict_do_update(index_elements=["code"], set_=values))
    load_indicators(session)  # after the plan tasks: an indicator names its task
