"""The import preview in a browser, on a phone (390 px) and a laptop (1366 px): the errors come first and can be
read without scrolling sideways, every checkbox is labelled (axe-core: no critical or serious violation), and a
confirm stores the ticked rows."""
from __future__ import annotations

import pytest

from tests.browser.test_pages_layout import (SIZES, axe_violations, no_sideways_scroll,  # noqa: F401
                                             open_page)
from tests.browser.conftest import screenshot
from tests.browser.test_staff_flow import sign_in
from tests.staffkit import IN_PHU_QUOC, IN_RACH_GIA, IN_RACH_GIA_2, make_users

pytestmark = pytest.mark.browser

LIST = ("DANH SÁCH ĐIỂM NĂM 2024;;;;;;\n"
        "Tên điểm;Loại;Huyện;Kinh độ;Vĩ độ;Số hộ tham gia (hộ);Nguồn thông tin;Người lập\n"
        f"Tổ dân phố 1;Phân loại rác;TP. Rạch Giá;{IN_RACH_GIA[0]};{IN_RACH_GIA[1]};1.200;Phòng TN&MT;Lan\n"
        f"Tổ dân phố 2;Phan loai rac;Rach Gia;{IN_RACH_GIA_2[0]};{IN_RACH_GIA_2[1]};12,5;Phòng TN&MT;Lan\n"
        f"Chợ Dương Đông;Siêu thị;Phú Quốc;{IN_PHU_QUOC[0]};{IN_PHU_QUOC[1]};;Phòng KT;Minh\n")


@SIZES
def test_the_preview_reads_on_a_phone_and_a_laptop_and_confirms(open_page, live_server, db, tmp_path, size):
    make_users(db)
    page = open_page(size, bypass_csp=True)  # axe-core is injected as an inline script
    sign_in(page, live_server, "staff_899")
    page.goto(live_server + "/staff/import")
    upload = tmp_path / "danh-sach.csv"
    upload.write_bytes(LIST.encode())
    page.set_input_files("#import-file", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#preview")
    assert no_sideways_scroll(page)
    # The row with a problem says it in the column right after the row's number, on screen as it opens.
    problems = page.locator("tr[data-row='4'] td.problems")
    assert "Số hộ tham gia: Phải là số nguyên: “12,5”" in problems.inner_text()
    box = problems.bounding_box()
    assert box["x"] >= 0 and box["x"] + 40 <= size["width"]
    assert "Vị trí nằm ngoài địa bàn được giao cho bạn" in page.locator("tr[data-row='5'] td.problems").inner_text()
    assert page.locator("tr[data-row='3']").inner_text().count("Thí điểm phân loại rác tại nguồn") == 1
    # A row that will not be stored still shows its category by name, not by its code.
    assert "Siêu thị, trung tâm thương mại, chợ" in page.locator("tr[data-row='5']").inner_text()
    assert "Cột 8 “Người lập”" in page.locator("form.ignored").inner_text()
    screenshot(page, f"import-preview-{size['width']}")
    assert axe_violations(page) == []
    assert page.is_checked("#row-3") and page.is_disabled("#row-4") and page.is_disabled("#row-5")
    page.click("#confirm-import button[type=submit]")
    page.wait_for_url("**/staff/")
    assert "Đã nhập 1 điểm" in page.locator("body").inner_text()
