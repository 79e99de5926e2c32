"""Small site records with known places, for tests that assert exact counts."""
from __future__ import annotations

from typing import Any

from geo.catalogue import DONRE, DOIT

# Points whose district is known: ward centroids of the package vietnamadminunits.
RACH_GIA = (105.0809, 10.0125)      # 899, phường Vĩnh Thanh Vân area
HA_TIEN = (104.4880, 10.3830)       # 900
PHU_QUOC_DUONG_DONG = (103.9650, 10.2170)  # 911, on the island


def site(name: str, lon: float, lat: float, **extra: Any) -> dict[str, Any]:
    """A valid approved site record, changed by extra."""
    record = {
        "name": name, "category": "waste_sorting", "status": "active", "lon": lon, "lat": lat,
        "plan_task": "VI.2", "lead_agency": DONRE, "source": "test fixture", "is_sample": True,
        "moderation": "approved", "start_date": "2022-03-01", "measures": {"households": 100},
    }
    record.update(extra)
    return record


__all__ = ["DOIT", "DONRE", "HA_TIEN", "PHU_QUOC_DUONG_DONG", "RACH_GIA", "site"]
