"""The report's files through the app: the Word document opens in python-docx, only the plan's years are offered."""
from __future__ import annotations

import io

import docx
from sqlalchemy.orm import Session

from geo.site_store import insert_site
from tests.sitedata import RACH_GIA, site


def test_the_word_report_downloads_and_opens(client, db):
    with Session(db) as session, session.begin():
        insert_site(session, site("Phân loại rác Vĩnh Thanh Vân", *RACH_GIA))
    response = client.get("/report/2025.docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert 'filename="bao-cao-sxtdbv-2025-district.docx"' in response.headers["Content-Disposition"]
    words = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "BÁO CÁO" in words and "Kết quả thực hiện Kế hoạch số 135/KH-UBND" in words
    english = client.get("/report/2025.docx?lang=en")
    assert english.status_code == 200 and 'filename="bao-cao-sxtdbv-2025-district-en.docx"' in \
        english.headers["Content-Disposition"]


def test_only_the_plan_years_are_offered(client, db):
    for path in ("/report/2020", "/report/2031", "/report/2031.xlsx", "/report/2020.docx"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "2021–2030" in response.get_data(as_text=True)
    assert client.get("/report/2021.xlsx").status_code == 200
