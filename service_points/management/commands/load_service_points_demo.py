from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency
from manual.models import Service
from manual.services import service_points_set, service_publish
from service_points.models import ServicePoint, ServicePointChange
from service_points.services import (
    service_point_create,
    service_point_photo_add,
    service_point_publish,
)

HOURS = "จันทร์–ศุกร์ 08:30–16:30 น. ปิดวันหยุดราชการ"
# agency code, Thai name, English name, government=*, subdistrict, postcode, lat, lon, phone
DEMO_POINTS = [
    (
        "dopa-cmi-muang",
        "ที่ว่าการอำเภอเมืองเชียงใหม่ (งานทะเบียน)",
        "Mueang Chiang Mai District Office (Registration)",
        "register_office",
        "500101",
        "50200",
        18.7904,
        98.9847,
        "053112345",
    ),
    (
        "dopa-kkn-muang",
        "ที่ว่าการอำเภอเมืองขอนแก่น (งานทะเบียน)",
        "Mueang Khon Kaen District Office (Registration)",
        "register_office",
        "400101",
        "40000",
        16.4321,
        102.8358,
        "043236789",
    ),
    (
        "dol-kkn",
        "สำนักงานที่ดินจังหวัดขอนแก่น",
        "Khon Kaen Provincial Land Office",
        "cadaster",
        "400101",
        "40000",
        16.4419,
        102.8330,
        "043221234",
    ),
    (
        "dol-pkt",
        "สำนักงานที่ดินจังหวัดภูเก็ต",
        "Phuket Provincial Land Office",
        "cadaster",
        "830101",
        "83000",
        7.8862,
        98.3889,
        "076211234",
    ),
    (
        "dlt-cmi",
        "สำนักงานขนส่งจังหวัดเชียงใหม่",
        "Chiang Mai Provincial Land Transport Office",
        "transportation",
        "500101",
        "50200",
        18.8011,
        99.0163,
        "053270123",
    ),
    (
        "dlt-bkk-area1",
        "สำนักงานขนส่งกรุงเทพมหานครพื้นที่ 1 (จตุจักร)",
        "Bangkok Land Transport Office Area 1 (Chatuchak)",
        "transportation",
        "103001",
        "10900",
        13.8130,
        100.5596,
        "022718888",
    ),
    (
        "rd-bkk-area1",
        "สำนักงานสรรพากรพื้นที่กรุงเทพมหานคร 1",
        "Bangkok Area Revenue Office 1",
        "tax",
        "100101",
        "10200",
        13.7563,
        100.4941,
        "022221234",
    ),
    (
        "rd-cmi",
        "สำนักงานสรรพากรพื้นที่เชียงใหม่",
        "Chiang Mai Area Revenue Office",
        "tax",
        "500101",
        "50200",
        18.7953,
        98.9790,
        "053112233",
    ),
    (
        "sso-pkt",
        "สำนักงานประกันสังคมจังหวัดภูเก็ต",
        "Phuket Provincial Social Security Office",
        "social_security",
        "830101",
        "83000",
        7.8905,
        98.3923,
        "076212345",
    ),
    (
        "sso-sni",
        "สำนักงานประกันสังคมจังหวัดสุราษฎร์ธานี",
        "Surat Thani Provincial Social Security Office",
        "social_security",
        "840101",
        "84000",
        9.1382,
        99.3215,
        "077272345",
    ),
    (
        "doe-ubn",
        "สำนักงานจัดหางานจังหวัดอุบลราชธานี",
        "Ubon Ratchathani Provincial Employment Office",
        "administrative",
        "340101",
        "34000",
        15.2287,
        104.8564,
        "045244123",
    ),
    (
        "dbd-nma",
        "สำนักงานพัฒนาธุรกิจการค้าจังหวัดนครราชสีมา",
        "Nakhon Ratchasima Provincial Business Development Office",
        "administrative",
        "300101",
        "30000",
        14.9799,
        102.0978,
        "044242123",
    ),
    (
        "bma-district-bangrak",
        "สำนักงานเขตบางรัก",
        "Bang Rak District Office",
        "register_office",
        "100401",
        "10500",
        13.7300,
        100.5240,
        "022360123",
    ),
    (
        "bma-district-chatuchak",
        "สำนักงานเขตจตุจักร",
        "Chatuchak District Office",
        "register_office",
        "103001",
        "10900",
        13.8283,
        100.5600,
        "025131234",
    ),
]


def demo_photo(seed: int):
    """A drawn office front (the demo has no real photos; the seed requires one to publish)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image, ImageDraw

    width, height = 800, 600
    image = Image.new("RGB", (width, height), (196, 223, 242))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 470, width, height], fill=(150, 150, 150))
    wall = [(235, 228, 214), (240, 236, 220), (226, 232, 238)][seed % 3]
    draw.rectangle([120, 170, 680, 470], fill=wall, outline=(90, 90, 90), width=3)
    draw.polygon([(100, 175), (400, 80), (700, 175)], fill=(150, 60, 45))
    draw.rectangle([250, 195, 550, 245], fill=(11, 61, 145))  # the office sign
    for x in (160, 560):
        draw.rectangle([x, 280, x + 80, 360], fill=(120, 160, 190), outline=(90, 90, 90), width=3)
    draw.rectangle([345, 320, 455, 470], fill=(110, 70, 40))  # the main entrance
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("demo.jpg", buffer.getvalue(), content_type="image/jpeg")


class Command(BaseCommand):
    help = "Pin and publish a few demo service points (once; running it again changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for code, name_th, name_en, gov, sub, postcode, lat, lon, phone in DEMO_POINTS:
            agency = Agency.objects.filter(code=code).first()
            if (
                agency is None
                or ServicePoint.objects.filter(agency=agency, name_th=name_th).exists()
            ):
                continue
            fields = {
                "name_th": name_th,
                "name_en": name_en,
                "government": gov,
                "province_code": sub[:2],
                "district_code": sub[:4],
                "subdistrict_code": sub,
                "postcode": postcode,
                "latitude": lat,
                "longitude": lon,
                "phone": phone,
                "opening_hours": HOURS,
                "house_number": "",
                "road": "",
            }
            point = service_point_create(
                agency=agency,
                fields=fields,
                api_agency=agency,
                source=ServicePointChange.Source.IMPORT,
                label="demo",
            )
            service_point_photo_add(
                point=point,
                by=None,
                upload=demo_photo(len(name_th)),
                kind="entrance",
                api_agency=agency,
                label="demo",
                source=ServicePointChange.Source.IMPORT,
            )
            service_point_publish(
                point=point,
                api_agency=agency,
                label="demo",
                source=ServicePointChange.Source.IMPORT,
            )
            created += 1
        linked = self.link_manual_services()
        self.stdout.write(
            f"Service points: {created} demo points published; {linked} Manual services "
            "linked to their agency's points."
        )

    @staticmethod
    def link_manual_services() -> int:
        """Each demo Manual service names the points that offer it (and says so once published),
        so a service links to its point and its feedback page, and the point back to it."""

        linked = 0
        for service in Service.objects.filter(
            status=Service.Status.PUBLISHED, offered_at__isnull=True
        ):
            points = list(
                ServicePoint.objects.filter(
                    agency_id=service.agency_id, status=ServicePoint.Status.PUBLISHED
                )
            )
            if points:
                service_points_set(service=service, by=None, points=points)
                service_publish(service=service, by=None)
                linked += 1
        return linked
