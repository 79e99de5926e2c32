"""Builds the sample site records of data/sites/ (no registry of real sites can be reached here).

Each record is written by hand below: what it is, where (a legacy ward), its state and measures. The point
is the ward's centroid from data/boundaries/kien-giang-wards-2020.csv, moved by a small fixed offset for
sites known to the exact spot, and kept inside the ward's district polygon. Every record says it is sample.
"""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path

from shapely.geometry import Point, shape

from geo.catalogue import CATEGORIES, PLAN_TASKS

ROOT = Path(__file__).resolve().parent.parent
WARDS_FILE = ROOT / "data" / "boundaries" / "kien-giang-wards-2020.csv"
DISTRICTS_FILE = ROOT / "data" / "boundaries" / "kien-giang-districts-2009-2025.geojson"
OUT_FILE = ROOT / "data" / "sites" / "kien-giang-sites-sample.geojson"
SOURCE = "Dữ liệu mẫu – không phải số liệu chính thức (sample record, not official data)"

# (ward code, category, plan task, status, name, start, end, measures, description)
# A pilot area is a whole ward: its point is the ward's centroid and its precision "ward".
RECORDS: list[tuple] = [
    # VI.2 – source sorting pilots in Rạch Giá, Hà Tiên, Phú Quốc
    ("30742", "waste_sorting", "VI.2", "active", "Thí điểm phân loại rác tại nguồn phường Vĩnh Thanh Vân",
     "2021-09-01", None, {"households": 1200, "tonnes_sorted_per_month": 38.5}, "Hộ dân phân loại rác hữu cơ và rác còn lại."),
    ("30733", "waste_sorting", "VI.2", "active", "Thí điểm phân loại rác tại nguồn phường Vĩnh Thanh",
     "2022-03-01", None, {"households": 850, "tonnes_sorted_per_month": 24.0}, "Mở rộng mô hình từ phường Vĩnh Thanh Vân."),
    ("30748", "waste_sorting", "VI.2", "planned", "Thí điểm phân loại rác tại nguồn phường An Hòa",
     "2026-01-01", None, {"households": 600}, "Dự kiến triển khai cùng tổ dân phố."),
    ("30772", "waste_sorting", "VI.2", "active", "Thí điểm phân loại rác tại nguồn phường Bình San",
     "2022-06-01", None, {"households": 540, "tonnes_sorted_per_month": 12.8}, "Phân loại rác tại hộ gia đình khu phố cổ."),
    ("30775", "waste_sorting", "VI.2", "completed", "Thí điểm phân loại rác tại nguồn phường Pháo Đài",
     "2021-10-01", "2023-12-31", {"households": 320, "tonnes_sorted_per_month": 7.5}, "Giai đoạn thí điểm đã kết thúc, đang tổng kết."),
    ("30778", "waste_sorting", "VI.2", "active", "Thí điểm phân loại rác tại nguồn phường Mỹ Đức",
     "2023-04-01", None, {"households": 410, "tonnes_sorted_per_month": 9.0}, "Hộ dân ven biển Mũi Nai tham gia."),
    ("31078", "waste_sorting", "VI.2", "active", "Thí điểm phân loại rác tại nguồn phường Dương Đông",
     "2021-07-01", None, {"households": 2100, "tonnes_sorted_per_month": 65.0}, "Khu dân cư trung tâm Dương Đông."),
    ("31081", "waste_sorting", "VI.2", "active", "Thí điểm phân loại rác tại nguồn phường An Thới",
     "2022-01-15", None, {"households": 900, "tonnes_sorted_per_month": 27.3}, "Kết hợp thu gom rác tái chế tại cảng cá."),
    ("31096", "waste_sorting", "VI.2", "suspended", "Thí điểm phân loại rác tại nguồn xã Dương Tơ",
     "2022-08-01", "2024-06-30", {"households": 300}, "Tạm dừng chờ bố trí xe thu gom riêng."),
    # II.2 / II.1 – eco-industrial parks and clusters
    ("30887", "eco_industrial_park", "II.2", "active", "Khu công nghiệp Thạnh Lộc – chuyển đổi sinh thái (mẫu)",
     "2022-01-01", None, {"hectares": 250, "scp_outreach_year": 2022}, "Khu công nghiệp đăng ký lộ trình khu công nghiệp sinh thái."),
    ("30880", "eco_industrial_park", "II.1", "planned", "Cụm công nghiệp Minh Lương – cụm công nghiệp sinh thái (mẫu)",
     "2026-06-01", None, {"hectares": 45, "scp_outreach_year": None}, "Cụm công nghiệp dự kiến áp dụng mô hình cộng sinh."),
    ("30784", "eco_industrial_park", "II.2", "active", "Khu công nghiệp Thuận Yên – mô hình sinh thái (mẫu)",
     "2023-01-01", None, {"hectares": 136, "scp_outreach_year": 2023}, "Khu công nghiệp gần Hà Tiên được tuyên truyền SXTDBV."),
    ("30787", "eco_industrial_park", "II.1", "active", "Cụm công nghiệp xi măng Kiên Lương – cộng sinh công nghiệp (mẫu)",
     "2021-06-01", None, {"hectares": 80, "scp_outreach_year": 2021}, "Trao đổi phụ phẩm giữa các nhà máy trong cụm."),
    ("30985", "eco_industrial_park", "II.1", "planned", "Cụm công nghiệp Thứ Ba – cụm công nghiệp sinh thái (mẫu)",
     "2027-01-01", None, {"hectares": 30}, "Quy hoạch cụm công nghiệp chế biến thủy sản."),
    # II.4 – craft villages
    ("31078", "craft_village", "II.4", "active", "Làng nghề nước mắm Dương Đông (mẫu)",
     "2021-05-01", None, {"households": 95, "scp_outreach_year": 2021}, "Làng nghề truyền thống áp dụng xử lý nước thải."),
    ("31111", "craft_village", "II.4", "active", "Làng nghề khô hải sản Lại Sơn (mẫu)",
     "2022-04-01", None, {"households": 60, "scp_outreach_year": 2024}, "Phơi sấy hải sản bằng nhà kính năng lượng mặt trời."),
    ("30928", "craft_village", "II.4", "active", "Làng nghề đan đát lục bình Ngọc Chúc (mẫu)",
     "2023-02-01", None, {"households": 140, "scp_outreach_year": None}, "Sản phẩm thủ công thay thế bao bì nhựa."),
    ("30982", "craft_village", "II.4", "planned", "Làng nghề đan đệm bàng Vĩnh Thắng (mẫu)",
     "2026-03-01", None, {"households": 70}, "Đề xuất công nhận làng nghề sinh thái."),
    ("31093", "craft_village", "II.4", "active", "Làng nghề ngọc trai Hàm Ninh (mẫu)",
     "2021-11-01", None, {"households": 35, "scp_outreach_year": 2023}, "Chuỗi cung ứng gắn với truy xuất nguồn gốc."),
    # I.1 / VI.5 – solar
    ("30748", "solar", "I.1", "active", "Điện mặt trời mái nhà – xưởng chế biến thủy sản ở An Hòa (mẫu)",
     "2021-03-01", None, {"kwp": 480.0, "solar_kind": "rooftop"}, "Hệ thống điện mặt trời áp mái nhà xưởng."),
    ("30829", "solar", "I.1", "active", "Điện mặt trời trang trại Nam Thái Sơn (mẫu)",
     "2021-01-15", None, {"kwp": 9800.0, "solar_kind": "farm", "hectares": 12.0}, "Trang trại điện mặt trời trên đất nông nghiệp kém hiệu quả."),
    ("30997", "solar", "I.1", "planned", "Điện mặt trời trên ao nuôi tôm Hưng Yên (mẫu)",
     "2027-01-01", None, {"kwp": 1500.0, "solar_kind": "pond", "hectares": 3.0}, "Kết hợp nuôi tôm dưới tấm pin."),
    ("30904", "solar", "VI.5", "active", "Điện mặt trời mái nhà – trụ sở UBND huyện Giồng Riềng (mẫu)",
     "2022-09-01", None, {"kwp": 60.0, "solar_kind": "rooftop"}, "Mô hình tiết kiệm năng lượng tại cơ quan nhà nước."),
    ("31051", "solar", "I.1", "planned", "Điện mặt trời nổi trên kênh Vĩnh Thuận (mẫu)",
     "2028-01-01", None, {"kwp": 2000.0, "solar_kind": "floating"}, "Nghiên cứu lắp đặt trên mặt nước kênh thủy lợi."),
    ("31087", "solar", "I.1", "active", "Điện mặt trời mái nhà – khu nghỉ dưỡng Gành Dầu (mẫu)",
     "2023-05-01", None, {"kwp": 350.0, "solar_kind": "rooftop"}, "Khu du lịch tự dùng điện mặt trời."),
    # II.5 / II.9 – organic, VietGAP, GlobalGAP, sustainable aquaculture
    ("31021", "organic_farm", "II.5", "active", "Mô hình tôm – lúa hữu cơ Thuận Hòa (mẫu)",
     "2021-08-01", None, {"hectares": 320.0, "certification": "organic"}, "Luân canh tôm – lúa đạt chứng nhận hữu cơ."),
    ("31033", "organic_farm", "II.5", "active", "Nuôi tôm quảng canh bền vững Đông Hưng (mẫu)",
     "2022-02-01", None, {"hectares": 150.0, "certification": "sustainable_aquaculture"}, "Nuôi tôm sinh thái dưới tán rừng."),
    ("30997", "organic_farm", "II.5", "active", "Mô hình tôm – lúa hữu cơ Hưng Yên (mẫu)",
     "2022-05-01", None, {"hectares": 210.0, "certification": "organic"}, "Liên kết tiêu thụ lúa hữu cơ."),
    ("30850", "organic_farm", "II.9", "active", "Cánh đồng lúa VietGAP thị trấn Tân Hiệp (mẫu)",
     "2021-04-01", None, {"hectares": 500.0, "certification": "VietGAP"}, "Sản xuất lúa theo chuỗi giá trị."),
    ("30907", "organic_farm", "II.9", "active", "Cánh đồng lúa VietGAP Thạnh Hưng (mẫu)",
     "2022-10-01", None, {"hectares": 280.0, "certification": "VietGAP"}, "Nông sản an toàn đưa vào siêu thị."),
    ("31090", "organic_farm", "II.9", "active", "Vườn tiêu GlobalGAP Cửa Dương (mẫu)",
     "2023-01-01", None, {"hectares": 25.0, "certification": "GlobalGAP"}, "Hồ tiêu Phú Quốc đạt chuẩn xuất khẩu."),
    ("31012", "organic_farm", "II.5", "active", "Nuôi cua – tôm bền vững Thạnh Yên (mẫu)",
     "2021-12-01", None, {"hectares": 90.0, "certification": "sustainable_aquaculture"}, "Nuôi trồng thủy sản vùng đệm U Minh Thượng."),
    ("31066", "organic_farm", "II.9", "planned", "Vùng khóm VietGAP Minh Thuận (mẫu)",
     "2026-05-01", None, {"hectares": 40.0, "certification": "VietGAP"}, "Đăng ký chứng nhận VietGAP cho khóm."),
    ("31060", "organic_farm", "II.9", "active", "Cánh đồng lúa VietGAP Vĩnh Bình Bắc (mẫu)",
     "2022-03-01", None, {"hectares": 160.0, "certification": "VietGAP"}, "Liên kết doanh nghiệp bao tiêu."),
    ("30958", "organic_farm", "II.9", "active", "Mô hình lúa – tôm VietGAP Định Hòa (mẫu)",
     "2023-06-01", None, {"hectares": 75.0, "certification": "VietGAP"}, "Sản xuất theo quy trình VietGAP."),
    # II.8 – eco-packaging producers
    ("30754", "eco_packaging", "II.8", "active", "Cơ sở sản xuất túi tự phân hủy Rạch Sỏi (mẫu)",
     "2023-03-01", None, {"tonnes_per_month": 15.0}, "Mô hình sản xuất bao bì thân thiện môi trường."),
    ("30898", "eco_packaging", "II.8", "planned", "Cơ sở sản xuất bao bì giấy Bình An (mẫu)",
     "2026-09-01", None, {"tonnes_per_month": 8.0}, "Bao bì giấy cho nông sản."),
    ("30862", "eco_packaging", "II.8", "active", "Cơ sở sản xuất ống hút cỏ bàng Thạnh Đông B (mẫu)",
     "2024-02-01", None, {"tonnes_per_month": 1.2}, "Sản phẩm thay thế ống hút nhựa dùng một lần."),
    # III.2 / III.3 – supermarkets, commercial centres, markets
    ("30742", "retail", "III.3", "active", "Siêu thị trung tâm Rạch Giá (mẫu)",
     "2021-06-01", None, {"eco_packaging": True}, "Dùng túi tự phân hủy tại quầy thu ngân."),
    ("30751", "retail", "III.3", "active", "Trung tâm thương mại Rạch Giá (mẫu)",
     "2022-01-01", None, {"eco_packaging": True}, "Thay túi nilon bằng túi giấy."),
    ("30757", "retail", "III.2", "active", "Chợ Rạch Giá – điểm bán sản phẩm xanh (mẫu)",
     "2022-06-01", None, {"eco_packaging": False}, "Chưa áp dụng bao bì thân thiện môi trường."),
    ("31078", "retail", "III.3", "active", "Siêu thị Dương Đông (mẫu)",
     "2021-10-01", None, {"eco_packaging": True}, "Bán sản phẩm OCOP với bao bì giấy."),
    ("31081", "retail", "III.3", "active", "Chợ An Thới (mẫu)",
     "2023-01-01", None, {"eco_packaging": False}, "Thí điểm túi tự phân hủy cho tiểu thương."),
    ("30772", "retail", "III.3", "active", "Siêu thị Hà Tiên (mẫu)",
     "2022-04-01", None, {"eco_packaging": True}, "Siêu thị dùng bao bì thân thiện môi trường."),
    ("30880", "retail", "III.3", "active", "Chợ Minh Lương (mẫu)",
     "2023-09-01", None, {"eco_packaging": False}, "Chợ nông thôn, đang vận động tiểu thương."),
    ("31018", "retail", "III.2", "active", "Cửa hàng tiện lợi Thứ Mười Một (mẫu)",
     "2024-03-01", None, {"eco_packaging": True}, "Kết nối nhà cung ứng sản phẩm thân thiện môi trường."),
    # VI.3 – single-use plastic at tourist sites and islands
    ("31114", "plastic_reduction", "VI.3", "active", "Đảo An Sơn – Nam Du không rác thải nhựa (mẫu)",
     "2022-05-01", None, {"tonnes_per_month": 3.5}, "Thu gom rác nhựa trên đảo và bãi biển."),
    ("31108", "plastic_reduction", "VI.3", "active", "Hòn Tre giảm nhựa dùng một lần (mẫu)",
     "2023-03-01", None, {"tonnes_per_month": 1.8}, "Hộ kinh doanh du lịch cam kết không dùng đồ nhựa dùng một lần."),
    ("31096", "plastic_reduction", "VI.3", "active", "Bãi Sao không rác nhựa (mẫu)",
     "2021-12-01", None, {"tonnes_per_month": 4.2}, "Khu du lịch bãi biển thay đồ nhựa bằng đồ tái sử dụng."),
    ("30778", "plastic_reduction", "VI.3", "active", "Khu du lịch Mũi Nai giảm rác nhựa (mẫu)",
     "2022-07-01", None, {"tonnes_per_month": 2.0}, "Thùng phân loại rác tại bãi tắm."),
    ("30808", "plastic_reduction", "VI.3", "planned", "Khu du lịch Hòn Phụ Tử – Bình An không rác nhựa (mẫu)",
     "2026-04-01", None, {}, "Dự kiến tham gia đề án giảm nhựa ven biển."),
    ("30814", "plastic_reduction", "VI.3", "active", "Đảo Hòn Nghệ giảm nhựa dùng một lần (mẫu)",
     "2024-01-01", None, {"tonnes_per_month": 0.8}, "Tổ tự quản thu gom rác nhựa trên đảo."),
    # VI.1 / VI.4 / II.6 – collection, recycling and composting
    ("30757", "recycling_point", "VI.1", "active", "Điểm tập kết rác tái chế Vĩnh Lợi (mẫu)",
     "2022-02-01", None, {"tonnes_per_month": 20.0}, "Thu mua phế liệu từ hộ phân loại rác."),
    ("31084", "recycling_point", "VI.4", "active", "Nhà máy xử lý rác và ủ phân Cửa Cạn (mẫu)",
     "2021-06-01", None, {"tonnes_per_month": 900.0}, "Ủ phân hữu cơ từ rác đã phân loại."),
    ("30952", "recycling_point", "VI.1", "active", "Điểm ủ phân hữu cơ thị trấn Gò Quao (mẫu)",
     "2023-05-01", None, {"tonnes_per_month": 6.0}, "Ủ phân từ rác hữu cơ của chợ."),
    ("31051", "recycling_point", "II.6", "active", "Điểm thu gom bao bì thuốc bảo vệ thực vật Vĩnh Thuận (mẫu)",
     "2022-09-01", None, {"tonnes_per_month": 0.5}, "Bể chứa bao bì thuốc bảo vệ thực vật trên đồng ruộng."),
    ("31027", "recycling_point", "VI.1", "active", "Điểm thu gom rác An Minh Bắc (mẫu)",
     "2021-03-01", "2022-12-31", {"tonnes_per_month": 2.0}, "Đã chuyển sang điểm tập kết mới."),
    # II.1 / II.7 – cleaner production models
    ("30754", "cleaner_production", "II.7", "active", "Nhà máy chế biến thủy sản – sản xuất sạch hơn (mẫu)",
     "2021-08-01", None, {"material_saving_pct": 6.5, "scp_outreach_year": 2021}, "Đánh giá nhanh sản xuất sạch hơn, giảm tiêu hao nước."),
    ("30787", "cleaner_production", "II.1", "active", "Nhà máy xi măng Kiên Lương – sản xuất sạch hơn (mẫu)",
     "2022-01-01", None, {"material_saving_pct": 5.2, "scp_outreach_year": 2022}, "Thu hồi nhiệt khí thải lò nung."),
    ("30871", "cleaner_production", "II.1", "active", "Nhà máy xay xát lúa Tân An – sản xuất sạch hơn (mẫu)",
     "2023-07-01", None, {"material_saving_pct": 7.8, "scp_outreach_year": 2023}, "Dùng trấu làm nhiên liệu lò sấy."),
    ("30883", "cleaner_production", "II.7", "planned", "Nhà máy nước giải khát Mong Thọ A – đánh giá SXSH (mẫu)",
     "2026-02-01", None, {"scp_outreach_year": 2025}, "Dự kiến đánh giá nhanh sản xuất sạch hơn."),
    # I.1 – works to phase out
    ("30820", "phase_out", "I.1", "phased_out", "Lò gạch nung thủ công Sóc Sơn (mẫu)",
     "2021-01-01", "2023-06-30", {"phase_out_year": 2023}, "Đã chuyển sang sản xuất gạch không nung."),
    ("30889", "phase_out", "I.1", "active", "Lò gạch nung Giục Tượng (mẫu)",
     "2021-01-01", None, {"phase_out_year": 2027}, "Nằm trong lộ trình loại bỏ lò gạch thủ công."),
    ("30805", "phase_out", "I.1", "phased_out", "Cơ sở bột cá Dương Hòa (mẫu)",
     "2021-01-01", "2024-12-31", {"phase_out_year": 2024}, "Đã ngừng sản xuất bột cá."),
    ("30790", "phase_out", "I.1", "active", "Lò vôi Kiên Bình (mẫu)",
     "2021-01-01", None, {"phase_out_year": 2028}, "Lò vôi thủ công dự kiến di dời, chấm dứt hoạt động."),
    ("30763", "phase_out", "I.1", "suspended", "Cơ sở bột cá Phi Thông (mẫu)",
     "2021-01-01", "2022-08-31", {"phase_out_year": None}, "Tạm ngừng hoạt động do vi phạm môi trường."),
    # more districts: Giang Thành, An Biên, U Minh Thượng, Kiên Hải, Vĩnh Thuận, Gò Quao, Châu Thành
    ("30796", "organic_farm", "II.5", "active", "Nuôi tôm sinh thái Tân Khánh Hòa (mẫu)",
     "2022-11-01", None, {"hectares": 60.0, "certification": "sustainable_aquaculture"}, "Nuôi tôm vùng biên giới theo hướng sinh thái."),
    ("30791", "waste_sorting", "VI.1", "planned", "Mô hình phân loại rác xã Vĩnh Phú, Giang Thành (mẫu)",
     "2026-07-01", None, {"households": 150}, "Nhân rộng mô hình phân loại rác ra ngoài ba địa bàn thí điểm."),
    ("31054", "plastic_reduction", "VI.3", "active", "Vườn quốc gia U Minh Thượng giảm rác nhựa (mẫu)",
     "2022-12-01", None, {"tonnes_per_month": 0.6}, "Điểm du lịch sinh thái không dùng đồ nhựa dùng một lần."),
    ("31115", "solar", "I.1", "active", "Điện mặt trời mái nhà – trạm y tế Nam Du (mẫu)",
     "2024-04-01", None, {"kwp": 30.0, "solar_kind": "rooftop"}, "Cấp điện cho đảo xa."),
    ("30967", "craft_village", "II.4", "active", "Làng nghề đóng ghe Thủy Liễu (mẫu)",
     "2021-09-01", None, {"households": 45, "scp_outreach_year": 2025}, "Làng nghề truyền thống ven sông Cái Lớn."),
    ("31006", "cleaner_production", "II.1", "active", "Cơ sở chế biến khô cá Đông Thái – sản xuất sạch hơn (mẫu)",
     "2024-05-01", None, {"material_saving_pct": 4.0, "scp_outreach_year": 2024}, "Sấy bằng năng lượng mặt trời thay củi."),
    ("31075", "eco_packaging", "II.8", "active", "Cơ sở làm túi lục bình Vĩnh Phong (mẫu)",
     "2023-10-01", None, {"tonnes_per_month": 0.9}, "Túi đan thay túi nilon cho chợ quê."),
]


def _lead_agency(plan_task: str) -> str:
    return next(task.lead_agency for task in PLAN_TASKS if task.code == plan_task)


def _offset(lon: float, lat: float, index: int, metres: float) -> tuple[float, float]:
    """A point metres away from lon/lat on a bearing that turns with index (deterministic)."""
    bearing = math.radians((index * 137.5) % 360)
    return (lon + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(lat))),
            lat + metres * math.cos(bearing) / 110_574)


def build() -> dict:
    """The FeatureCollection of sample sites."""
    with open(WARDS_FILE, encoding="utf-8") as f:
        wards = {row["code"]: row for row in csv.DictReader(f)}
    districts = {f["properties"]["code"]: shape(f["geometry"])
                 for f in json.loads(DISTRICTS_FILE.read_text(encoding="utf-8"))["features"]}
    valid_tasks = {c.code: c.plan_tasks for c in CATEGORIES}
    features = []
    for index, (ward_code, category, plan_task, status, name, start, end, measures, description) in enumerate(
            RECORDS, start=1):
        if plan_task not in valid_tasks[category]:
            raise ValueError(f"{name}: plan task {plan_task} does not serve category {category}")
        ward = wards[ward_code]
        lon, lat = float(ward["lon"]), float(ward["lat"])
        precision = "ward" if category == "waste_sorting" else "exact"
        if precision == "exact":
            moved = _offset(lon, lat, index, 250.0)
            if districts[ward["district_code"]].contains(Point(moved)):
                lon, lat = moved
        features.append({"type": "Feature", "geometry": {"type": "Point",
                                                          "coordinates": [round(lon, 6), round(lat, 6)]},
                         "properties": {
                             "ref": f"KG-{index:04d}", "name": name, "name_en": None, "category": category,
                             "plan_task": plan_task, "lead_agency": _lead_agency(plan_task), "status": status,
                             "start_date": start, "end_date": end,
                             "address": f"{ward['name']}, {ward['district_name']}, tỉnh Kiên Giang",
                             "ward_code": ward_code, "expected_district_code": ward["district_code"],
                             "location_precision": precision,
                             "measures": {k: v for k, v in measures.items() if v is not None},
                             "description": description, "source": SOURCE, "is_sample": True}})
    return {"type": "FeatureCollection", "features": features}


def write() -> dict[str, object]:
    """Build the sample sites and write them to data/sites/; returns how many and where."""
    collection = build()
    OUT_FILE.parent.mkdir(parents=True, exist_ok=True)
    OUT_FILE.write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return {"count": len(collection["features"]), "path": OUT_FILE.relative_to(ROOT)}
